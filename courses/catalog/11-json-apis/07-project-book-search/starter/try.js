// Press Run: this starts the practice server (library-api.js) and
// shows what your searchPage makes of a few searches. The practice
// server's /slow/search answers after 3 seconds.
const { startLibrary } = require("./library-api.js");
const { searchUrl, searchPage } = require("./search.js");

async function main() {
  const library = await startLibrary();
  const url = library.url;
  try {
    console.log("searchUrl:", searchUrl(url, "of mice & men?"));
    for (const words of ["hard", "e", "<zebra>"]) {
      console.log(`Search for ${words}:`);
      console.log(await searchPage(url, words));
    }
    console.log("A slow server:");
    console.log(await searchPage(`${url}/slow`, "be"));
    console.log("No server:");
    console.log(await searchPage("http://127.0.0.1:9", "be"));
  } catch (error) {
    console.log("Your code stopped with an error:", error.message);
  } finally {
    library.stop();
  }
}

main();
