// Press Run: this starts your server, asks it for a page, prints the
// answer and stops the server. It plays the part of a web browser.
const http = require("node:http");
const { createApp } = require("./app.js");

const server = createApp();
server.listen(0, "127.0.0.1", () => {
  const port = server.address().port;
  console.log(`Your server is listening on port ${port}.`);
  const req = http.get({ host: "127.0.0.1", port, path: "/", agent: false }, (res) => {
    let body = "";
    res.setEncoding("utf8");
    res.on("data", (chunk) => (body += chunk));
    res.on("end", () => {
      console.log(`GET / -> status ${res.statusCode}`);
      console.log(`Content-Type: ${res.headers["content-type"]}`);
      console.log(`Body: ${body}`);
      server.close();
    });
  });
  req.setTimeout(3000, () => {
    console.log("No answer after 3 seconds. Did you call res.end(...)?");
    req.destroy();
    server.close();
    process.exit(1);
  });
});
