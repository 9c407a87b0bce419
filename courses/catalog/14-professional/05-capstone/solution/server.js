// Starts the lost property board on port 3000, with its data in
// lost.db next to this file. Stop it with Ctrl+C.
const path = require("node:path");
const { createApp } = require("./app.js");

const PORT = Number(process.env.PORT) || 3000;
const dbPath = path.join(__dirname, "lost.db");

createApp({ dbPath }).listen(PORT, "127.0.0.1", () => {
  console.log(`Lost property is open at http://localhost:${PORT}/`);
});
