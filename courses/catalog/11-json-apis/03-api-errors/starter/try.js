// Press Run: this starts the practice server (library-api.js) and
// asks your loadBook for a good book, a missing one, one that breaks
// the server, one with broken JSON, and a server that is not there.
const { startLibrary } = require("./library-api.js");
const { loadBook } = require("./books.js");

async function ask(label, baseUrl, id) {
  try {
    console.log(label, await loadBook(baseUrl, id));
  } catch (error) {
    console.log(label, "stopped with an error:", error.message);
  }
}

async function main() {
  const library = await startLibrary();
  const url = library.url;
  await ask("Book 1:        ", url, 1);
  await ask("Book 99:       ", url, 99);
  await ask("Book 13:       ", url, 13);
  await ask("Book 42:       ", url, 42);
  await ask("No server:     ", "http://127.0.0.1:9", 1);
  library.stop();
}

main();
