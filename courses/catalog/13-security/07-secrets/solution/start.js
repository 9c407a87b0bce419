// How the real server would start: the settings come from the
// environment it is started in, for example
//   ADMIN_PASSWORD='a long secret phrase' node start.js
// Press Run to see what happens with and without one.
const { loadConfig } = require("./config.js");

function tryStart(env) {
  try {
    const config = loadConfig(env);
    const hidden = "*".repeat(String(config.adminPassword).length);
    console.log(`Would start on port ${config.port}, password ${hidden}`);
  } catch (error) {
    console.log("Refused to start:", error.message);
  }
}

tryStart(process.env);
tryStart({ ADMIN_PASSWORD: "tea and biscuits", PORT: "8080" });
tryStart({ ADMIN_PASSWORD: "short" });
tryStart({ ADMIN_PASSWORD: "tea and biscuits", PORT: "eighty" });
