package org.opshub.telegram.outbox;

import java.util.function.LongFunction;

/**
 * The bot's texts ({@link Texts}) in each chat's language: the one it chose with /language, else
 * {@code telegram.language}.
 */
public final class ChatTexts {
    private final Texts texts;
    private final LongFunction<String> languageOf;

    /** @param languageOf a chat's language ({@code en}, {@code ru}) by chat id */
    public ChatTexts(Texts texts, LongFunction<String> languageOf) {
        this.texts = texts;
        this.languageOf = languageOf;
    }

    /** The texts embedded in the jar, in English for every chat: for code not given any. */
    public static ChatTexts embedded() {
        return new ChatTexts(Texts.embedded(), chat -> "en");
    }

    /** The texts themselves. */
    public Texts texts() {
        return texts;
    }

    /** A chat's language. */
    public String lang(long chatId) {
        return Texts.known(languageOf.apply(chatId));
    }

    /** The text of {@code key} in the chat's language, {@code {n}} replaced by {@code args[n]}. */
    public String t(long chatId, String key, Object... args) {
        return texts.t(lang(chatId), key, args);
    }
}
