// Press Run: this starts your server, asks it for a few pages, prints
// the answers and stops the server. It plays the part of a web browser.
const http = require("node:http");
const { createApp } = require("./app.js");

const paths = ["/", "/hello?name=Sam", "/hello", "/hello?name=<b>Bold</b>"];

function ask(port, path) {
  return new Promise((resolve) => {
    const options = { host: "127.0.0.1", port, path, agent: false };
    const req = http.get(options, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => {
        const type = res.headers["content-type"];
        console.log(`GET ${path} -> ${res.statusCode} (${type})`);
        console.log(body);
        console.log("");
        resolve();
      });
    });
    req.setTimeout(3000, () => {
      console.log(`GET ${path} -> no answer. Missing res.end?`);
      req.destroy();
      resolve();
    });
  });
}

const server = createApp();
server.listen(0, "127.0.0.1", async () => {
  for (const path of paths) {
    await ask(server.address().port, path);
  }
  server.closeAllConnections?.();
  server.close();
});
