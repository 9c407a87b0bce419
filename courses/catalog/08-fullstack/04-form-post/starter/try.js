// Press Run: this starts your server, fills in the form a few ways,
// prints the answers and stops. It plays the part of a web browser.
const http = require("node:http");
const { createApp } = require("./app.js");

const tries = [
  ["GET", "/", ""],
  ["POST", "/sign", "name=Ada+Lovelace"],
  ["POST", "/sign", "name=++"],
  ["POST", "/sign", "name=" + "x".repeat(20000)],
];

function ask(port, method, path, body) {
  return new Promise((resolve) => {
    const headers = {
      "Content-Type": "application/x-www-form-urlencoded",
      "Content-Length": Buffer.byteLength(body),
    };
    const options = { host: "127.0.0.1", port, method, path, headers, agent: false };
    const req = http.request(options, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => {
        const shown = body.length > 40 ? body.slice(0, 40) + "..." : body;
        console.log(`${method} ${path} ${shown} -> ${res.statusCode}`);
        console.log(text.replace(/^[\s\S]*<body>\n|\n<\/body>[\s\S]*$/g, ""));
        console.log("");
        resolve();
      });
    });
    req.setTimeout(3000, () => {
      console.log(`${method} ${path} -> no answer. Missing res.end?`);
      req.destroy();
      resolve();
    });
    req.on("error", (error) => {
      console.log(`${method} ${path} -> ${error.message}`);
      resolve();
    });
    req.end(body);
  });
}

const server = createApp();
server.listen(0, "127.0.0.1", async () => {
  for (const [method, path, body] of tries) {
    await ask(server.address().port, method, path, body);
  }
  server.closeAllConnections?.();
  server.close();
});
