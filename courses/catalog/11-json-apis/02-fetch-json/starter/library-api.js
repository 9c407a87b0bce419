// A small practice server, so Run has something real to talk to.
// It runs on this computer only (address 127.0.0.1), while try.js
// runs, and stops with it. You do not need to change this file:
// read it to see what an API server looks like from the inside.
//
// To practise with problems: book 13 answers 500 (a server error),
// book 42 sends broken JSON, and /slow/books is /books but
// 3 seconds later.
const http = require("node:http");

const books = [
  { id: 1, title: "Small Island", author: "Andrea Levy", year: 2004 },
  { id: 2, title: "Hard Times", author: "Charles Dickens", year: 1854 },
  { id: 3, title: "Beloved", author: "Toni Morrison", year: 1987 },
];

function send(res, status, data) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(data));
}

function handle(req, res, body) {
  const match = req.url.match(/^\/books\/(\d+)$/);
  if (req.method === "GET" && req.url === "/books") {
    send(res, 200, books);
  } else if (req.method === "GET" && match && match[1] === "13") {
    send(res, 500, { error: "Book 13 always breaks the server" });
  } else if (req.method === "GET" && match && match[1] === "42") {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end('{"id": 42, "title": "Half a bo');
  } else if (req.method === "GET" && match) {
    const book = books.find((b) => b.id === Number(match[1]));
    if (book) send(res, 200, book);
    else send(res, 404, { error: "No book with that id" });
  } else if (req.method === "GET" && req.url.startsWith("/search?")) {
    const words = new URL(req.url, "http://library").searchParams.get("q");
    const wanted = String(words || "").toLowerCase();
    send(res, 200, books.filter((b) => b.title.toLowerCase().includes(wanted)));
  } else if (req.url.startsWith("/slow/")) {
    // /slow/books is /books, 3 seconds later.
    req.url = req.url.slice("/slow".length);
    setTimeout(() => handle(req, res, body), 3000);
  } else if (req.method === "POST" && req.url === "/books") {
    let book;
    try {
      book = JSON.parse(body);
    } catch (error) {
      send(res, 400, { error: "That was not JSON" });
      return;
    }
    if (!book || typeof book.title !== "string" || book.title === "") {
      send(res, 400, { error: "A book needs a title" });
      return;
    }
    const saved = { ...book, id: books.length + 1 };
    books.push(saved);
    send(res, 201, saved);
  } else {
    send(res, 404, { error: "Not found" });
  }
}

// Starts the server on a free port; gives back its address.
function startLibrary() {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => handle(req, res, body));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const url = `http://127.0.0.1:${server.address().port}`;
      resolve({
        url,
        stop() {
          server.closeAllConnections();
          server.close();
        },
      });
    });
  });
}

module.exports = { startLibrary };
