const http = require("node:http");

function createApp() {
  return http.createServer((req, res) => {
    // 1. Set the status to 200.
    // 2. Set the Content-Type header to "text/plain; charset=utf-8".
    // 3. End the answer with the body "Hello from Slate!".
    res.end();
  });
}

module.exports = { createApp };
