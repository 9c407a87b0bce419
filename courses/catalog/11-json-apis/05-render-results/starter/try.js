// Press Run: this starts the practice server (library-api.js), asks
// your booksPage for the HTML, and shows it. It also shows what
// renderBooks makes of a book with a strange title.
const { startLibrary } = require("./library-api.js");
const { renderBooks, booksPage } = require("./page.js");

async function main() {
  const library = await startLibrary();
  try {
    console.log("booksPage gave:");
    console.log(await booksPage(library.url));
    console.log();
    console.log("A strange title:");
    console.log(renderBooks([
      { title: "<b>Loud</b> & Clear", author: "Jo", year: 2020 },
    ]));
    console.log();
    console.log("No server:");
    console.log(await booksPage("http://127.0.0.1:9"));
  } catch (error) {
    console.log("Your code stopped with an error:", error.message);
  } finally {
    library.stop();
  }
}

main();
