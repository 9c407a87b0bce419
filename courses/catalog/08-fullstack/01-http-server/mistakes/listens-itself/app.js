const http = require("node:http");

function createApp() {
  const server = http.createServer((req, res) => {
    res.statusCode = 200;
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    res.end("Hello from Slate!");
  });
  server.listen(3000);
  return server;
}

module.exports = { createApp };
