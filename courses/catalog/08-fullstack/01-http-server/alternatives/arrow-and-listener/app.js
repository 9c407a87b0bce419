const { createServer } = require('node:http');

const createApp = () => {
  const server = createServer();
  server.on('request', (req, res) => {
    res.setHeader('Content-Type', 'text/plain;charset=UTF-8');
    res.end(`Hello from Slate!`);
  });
  return server;
};

module.exports = { createApp };
