// The computer room's booking server. The page has a form, but
// anyone can send anything to POST /book, so the server checks.
const http = require("node:http");

const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

// Checks a form. Returns { error } or { booking } with clean values.
function validateBooking(form) {
  const name = String(form.name ?? "").trim();
  if (name === "") {
    return { error: "Please give your name" };
  }
  if (name.length > 40) {
    return { error: "Your name can be at most 40 characters" };
  }
  const day = form.day;
  if (!DAYS.includes(day)) {
    return { error: "Please choose a day from Monday to Friday" };
  }
  const hour = parseInt(form.hour, 10);
  if (Number.isNaN(hour) || hour < 9 || hour > 16) {
    return { error: "The hour must be a whole number from 9 to 16" };
  }
  return { booking: { name, day, hour } };
}

function sendJson(res, status, data) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(data));
}

// Reads the body of a request, up to limit bytes. (Given.)
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    let body = "";
    let size = 0;
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      size = size + Buffer.byteLength(chunk);
      if (size <= limit) {
        body = body + chunk;
      }
    });
    req.on("end", () => {
      if (size > limit) {
        reject(new Error("That is too much text"));
      } else {
        resolve(body);
      }
    });
    req.on("error", reject);
  });
}

function createApp() {
  const bookings = [];
  return http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://localhost");
    if (req.method === "GET" && url.pathname === "/bookings") {
      return sendJson(res, 200, bookings);
    }
    if (req.method === "POST" && url.pathname === "/book") {
      let form;
      try {
        form = Object.fromEntries(new URLSearchParams(
          await readBody(req, 10000)));
      } catch (error) {
        return sendJson(res, 413, { error: error.message });
      }
      const result = validateBooking(form);
      if (result.error) {
        return sendJson(res, 400, { error: result.error });
      }
      bookings.push(result.booking);
      return sendJson(res, 201, result.booking);
    }
    sendJson(res, 404, { error: "Not found" });
  });
}

module.exports = { createApp, validateBooking };
