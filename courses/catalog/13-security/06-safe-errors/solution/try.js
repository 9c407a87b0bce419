// Press Run: this starts the server, makes three searches (the
// second one trips over the catalogue's bug), and shows the answers.
const http = require("node:http");
const { createApp } = require("./app.js");

function get(port, path) {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path, agent: false },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => {
          console.log(`GET ${path} -> ${res.statusCode}`);
          console.log(`  ${text}`);
          resolve();
        });
      });
    req.on("error", (error) => {
      console.log(`GET ${path} -> no answer (${error.code})`);
      resolve();
    });
    req.setTimeout(3000, () => req.destroy());
  });
}

// The owner's log: here, the first line of each error.
function ownersLog(text) {
  console.log("[owner's log]", String(text).split("\n")[0]);
}

const server = createApp({ log: ownersLog });
server.listen(0, "127.0.0.1", async () => {
  const port = server.address().port;
  await get(port, "/search?q=secret");
  await get(port, "/search?q=" + encodeURIComponent("garden (new"));
  await get(port, "/search?q=island");
  server.closeAllConnections?.();
  server.close();
});
