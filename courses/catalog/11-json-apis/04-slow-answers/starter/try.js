// Press Run: this starts the practice server (library-api.js) and
// asks your loadBooks twice: once normally, and once at /slow, where
// the server waits 3 seconds before it answers. Your code is told to
// wait at most 1 second.
const { startLibrary } = require("./library-api.js");
const { loadBooks } = require("./books.js");

async function ask(label, baseUrl, ms) {
  const started = Date.now();
  try {
    const result = await loadBooks(baseUrl, ms);
    const took = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`${label} (after ${took} s):`, result);
  } catch (error) {
    console.log(label, "stopped with an error:", error.message);
  }
}

async function main() {
  const library = await startLibrary();
  await ask("Normal server, wait 1 s", library.url, 1000);
  await ask("Slow server, wait 1 s", `${library.url}/slow`, 1000);
  library.stop();
}

main();
