// Press Run: this starts the practice server (library-api.js), adds
// a book with your addBook, lists the books, then tries a book with
// no title (the server should say no).
const { startLibrary } = require("./library-api.js");
const { addBook } = require("./books.js");

async function main() {
  const library = await startLibrary();
  try {
    const saved = await addBook(library.url, {
      title: "The Famished Road",
      author: "Ben Okri",
      year: 1991,
    });
    console.log("addBook gave:", saved);
    const all = await (await fetch(`${library.url}/books`)).json();
    console.log("Titles now:", all.map((b) => b.title));
  } catch (error) {
    console.log("addBook stopped with an error:", error.message);
  }
  try {
    await addBook(library.url, { title: "", author: "Nobody" });
    console.log("The book with no title was accepted?");
  } catch (error) {
    console.log("The server said no:", error.message);
  }
  library.stop();
}

main();
