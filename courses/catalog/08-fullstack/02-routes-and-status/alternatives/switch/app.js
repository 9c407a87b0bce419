const http = require('node:http');

function reply(res, status, type, body, extra = {}) {
  res.writeHead(status, { 'Content-Type': `${type}; charset=utf-8`, ...extra });
  res.end(body);
}

function createApp() {
  return http.createServer((req, res) => {
    let type;
    let body;
    switch (req.url) {
      case '/':
        [type, body] = ['text/plain', 'Welcome to the timetable'];
        break;
      case '/about':
        [type, body] = ['text/plain', 'This server tells you what is on'];
        break;
      case '/health':
        [type, body] = ['application/json', '{"ok":true}'];
        break;
      default:
        return reply(res, 404, 'text/plain', 'Not found');
    }
    if (req.method !== 'GET') {
      return reply(res, 405, 'text/plain', 'Method not allowed', { Allow: 'GET' });
    }
    reply(res, 200, type, body);
  });
}

module.exports = { createApp };
