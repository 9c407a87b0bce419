// The web server: turns http requests into controller requests and
// the controller's answers back into http.
const http = require("node:http");
const { createGuestbook } = require("./model.js");
const { createController } = require("./controller.js");

function createApp({ dbPath }) {
  // 1. Make the guestbook model and call setup() once.
  // 2. Make the controller with it.
  return http.createServer(async (req, res) => {
    // 3. For a POST, read the body (limit 10000, else 413) into a form.
    // 4. controller.handle({ method, path, form })
    // 5. res.writeHead(status, headers); res.end(body);
    res.statusCode = 500;
    res.end("Not written yet");
  });
}

module.exports = { createApp };
