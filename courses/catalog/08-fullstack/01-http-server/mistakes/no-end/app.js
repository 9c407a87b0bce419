const http = require("node:http");

function createApp() {
  return http.createServer((req, res) => {
    res.statusCode = 200;
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    res.write("Hello from Slate!");
  });
}

module.exports = { createApp };
