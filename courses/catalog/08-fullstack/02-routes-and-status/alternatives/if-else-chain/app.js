const http = require('node:http');

function createApp() {
  return http.createServer((req, res) => {
    const known = ['/', '/about', '/health'];
    if (!known.includes(req.url)) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Not found');
    } else if (req.method !== 'GET') {
      res.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET' });
      res.end('Method not allowed');
    } else if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Welcome to the timetable');
    } else if (req.url === '/about') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('This server tells you what is on');
    } else {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ ok: true }));
    }
  });
}

module.exports = { createApp };
