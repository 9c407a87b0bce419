const http = require('http');

function createApp() {
  const server = http.createServer(function (request, response) {
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    response.write('Hello from Slate!');
    response.end();
  });
  return server;
}

module.exports = { createApp };
