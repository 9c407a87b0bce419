// Press Run: an attacker tries PINs for Ada one after another, then
// Ada herself logs in with the right one.
const http = require("node:http");
const { createApp } = require("./app.js");

function login(port, name, pin) {
  return new Promise((resolve) => {
    const body = new URLSearchParams({ name, pin }).toString();
    const req = http.request({
      host: "127.0.0.1", port, method: "POST", path: "/login",
      agent: false, headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": Buffer.byteLength(body),
      },
    }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => {
        console.log(`${name} ${pin} -> ${res.statusCode} ${text}`);
        resolve();
      });
    });
    req.setTimeout(3000, () => req.destroy());
    req.on("error", () => resolve());
    req.end(body);
  });
}

const server = createApp();
server.listen(0, "127.0.0.1", async () => {
  const port = server.address().port;
  for (const guess of ["0000", "1111", "1234", "4320", "4321"]) {
    await login(port, "Ada", guess);
  }
  await login(port, "Sam", "9876");
  server.closeAllConnections?.();
  server.close();
});
