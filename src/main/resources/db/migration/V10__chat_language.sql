-- Issue 17: the language the bot writes in for a chat (/language ru|en); NULL: telegram.language.
ALTER TABLE chat ADD COLUMN language VARCHAR(8);
