// Press Run: this starts the practice server (library-api.js),
// calls your functions with its address and shows what they gave.
const { startLibrary } = require("./library-api.js");
const { getTitles, getBook } = require("./books.js");

async function main() {
  const library = await startLibrary();
  console.log(`The practice server is at ${library.url}`);
  try {
    console.log("getTitles gave:", await getTitles(library.url));
    console.log("getBook(2) gave:", await getBook(library.url, 2));
  } catch (error) {
    console.log("Your code stopped with an error:");
    console.log(error.message);
  } finally {
    library.stop();
  }
}

main();
