// Starts the telegram-test-api Bot API emulator on 127.0.0.1:<port> for opshub's tests.
// Usage: node telegram-emulator.js <port>   (prints "READY <port>" once listening; stops on SIGTERM)
const TelegramServer = require('telegram-test-api');
const port = Number(process.argv[2] || 9001);
const server = new TelegramServer({ port, host: '127.0.0.1', storage: 'RAM', storeTimeout: 600 });
server.start().then(() => console.log(`READY ${port}`));
process.on('SIGTERM', () => server.stop().then(() => process.exit(0)));
