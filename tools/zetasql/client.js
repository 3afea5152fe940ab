#!/usr/bin/env node
// ZetaSQL bridge for `sendwise bq-check`.
//
// Starts Google's ZetaSQL local service (the `remote_server.so` executable shipped by the npm
// package @fivetrandevelopers/zetasql) on a free loopback port, waits until it answers, then
// serves requests read from stdin, one JSON object per line:
//   {"id": 1, "method": "analyze", "request": {...AnalyzeRequest as JSON, proto field names...}}
// and writes one JSON line per request to stdout:
//   {"id": 1, "ok": true, "response": {...}}  or  {"id": 1, "ok": false, "error": "..."}
// Methods: any RPC of zetasql.local_service.ZetaSqlLocalService in lowerCamelCase (analyze,
// evaluateQuery, registerCatalog, unregisterCatalog, getLanguageOptions, ...), plus
// "analyzeColumns", an `analyze` whose answer keeps only the output columns of a query
// (name and type), so that the resolved tree never crosses the pipe.
//
// The server is stopped when stdin closes, on SIGINT/SIGTERM/SIGHUP and on any error, so no
// process outlives the bridge. The caller (src/sendwise/bigquery/zetasql.py) also starts the
// bridge in its own process group and ends the group, in case the bridge itself is killed.
'use strict';

const childProcess = require('child_process');
const net = require('net');
const path = require('path');
const readline = require('readline');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PACKAGE_DIR = path.dirname(require.resolve('@fivetrandevelopers/zetasql/package.json'));
const ZETASQL_DIR = path.join(PACKAGE_DIR, 'lib', 'zetasql');
const SERVER = path.join(ZETASQL_DIR, 'remote_server' + (process.arch.startsWith('arm') ? '_arm' : '') + '.so');
const MAX_MESSAGE = 500 * 1024 * 1024;
const STARTUP_TIMEOUT_MS = 60000;

let server = null;

function stopServer() {
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill('SIGKILL');
  }
  server = null;
}

// Kill the server and wait until it has exited (so it is reaped here, not left as a zombie).
function stopServerAndWait() {
  return new Promise((resolve) => {
    const child = server;
    server = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function fail(message) {
  process.stderr.write(`zetasql bridge: ${message}\n`);
  stopServer();
  process.exit(1);
}

process.on('exit', stopServer);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    stopServerAndWait().then(() => process.exit(128));
  });
}
process.on('uncaughtException', (err) => fail(err.stack || String(err)));
process.on('unhandledRejection', (err) => fail((err && err.stack) || String(err)));

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function loadService(port) {
  const definition = protoLoader.loadSync('local_service.proto', {
    keepCase: true,
    longs: String,
    enums: String,
    bytes: String,
    defaults: false,
    oneofs: false,
    includeDirs: [path.join(ZETASQL_DIR, 'protos')],
  });
  const proto = grpc.loadPackageDefinition(definition);
  return new proto.zetasql.local_service.ZetaSqlLocalService(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': MAX_MESSAGE,
    'grpc.max_receive_message_length': MAX_MESSAGE,
  });
}

function call(api, method, request) {
  return new Promise((resolve, reject) => {
    if (typeof api[method] !== 'function') {
      reject(new Error(`unknown method ${method}`));
      return;
    }
    api[method](request, (err, response) => (err ? reject(err) : resolve(response)));
  });
}

async function waitUntilReady(api) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (!server) throw new Error('the ZetaSQL server exited during start-up');
    try {
      await call(api, 'formatSql', { sql: 'SELECT 1' });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`the ZetaSQL server did not answer within ${STARTUP_TIMEOUT_MS} ms: ${err.message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

// The output columns of an analyzed query statement: [{name, type}] (type is a TypeProto).
function outputColumns(response) {
  const statement = response.resolved_statement || {};
  const query = statement.resolved_query_stmt_node;
  if (!query) return { statement_kind: Object.keys(statement)[0] || null, columns: null };
  const columns = (query.output_column_list || []).map((item) => ({
    name: item.name,
    type: item.column && item.column.type,
  }));
  return { statement_kind: 'resolved_query_stmt_node', columns };
}

// JSON has no NaN or Infinity: send them as the strings protobufjs accepts back ("NaN", "Infinity").
function keepNonFinite(key, value) {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

async function main() {
  const port = await freePort();
  server = childProcess.spawn(SERVER, ['127.0.0.1', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let serverLog = '';
  server.stderr.on('data', (chunk) => {
    serverLog = (serverLog + chunk.toString()).slice(-4000);
  });
  server.on('exit', (code, signal) => {
    const wasRunning = server !== null;
    server = null;
    if (wasRunning) fail(`the ZetaSQL server stopped (code ${code}, signal ${signal}): ${serverLog.trim()}`);
  });
  const api = loadService(port);
  await waitUntilReady(api);
  process.stdout.write(JSON.stringify({ id: 0, ok: true, response: { ready: true, port } }) + '\n');

  const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  // Requests are answered one at a time, in order (the caller waits for each answer).
  for await (const line of input) {
    if (!line.trim()) continue;
    const message = JSON.parse(line);
    let answer;
    try {
      const method = message.method === 'analyzeColumns' ? 'analyze' : message.method;
      let response = await call(api, method, message.request || {});
      if (message.method === 'analyzeColumns') response = outputColumns(response);
      answer = { id: message.id, ok: true, response };
    } catch (err) {
      answer = { id: message.id, ok: false, error: err.details || err.message, code: err.code };
    }
    process.stdout.write(JSON.stringify(answer, keepNonFinite) + '\n');
  }
  await stopServerAndWait();
  process.exit(0);
}

main().catch((err) => fail(err.stack || String(err)));
