/**
 * The load-balancer configs of docs/deploy.md, rendered from one template each. The integration
 * tests run haproxy and nginx with exactly these texts (on loopback, free ports), and
 * test/deploy-doc.test.js checks that the guide shows what these functions render for the
 * guide's example addresses — so the guide only shows configs the tests use.
 */

/**
 * @typedef {{ name: string, address: string }} Backend  `address` is HOST:PORT of one server instance.
 * @typedef {object} HaproxyOptions
 * @property {string} bind          HOST:PORT the balancer listens on.
 * @property {Backend[]} servers    The instances behind it.
 * @property {1 | 2} proxyVersion   PROXY protocol version sent to the servers (send-proxy / send-proxy-v2).
 * @property {string} [statsSocket] Unix socket for `show stat` (the tests read server states from it).
 * @property {string} [name]        Frontend name; the backend is `<name>_servers` (default `echo`).
 */

/**
 * HAProxy in TCP mode: round robin over the instances, a PROXY header on every server
 * connection, health checks that send one too (a v2 LOCAL header; v1: a PROXY line for the
 * check's own addresses), failed connects retried on another instance.
 * @param {HaproxyOptions} o
 * @returns {string}
 */
export function haproxyConfig(o) {
  const send = o.proxyVersion === 2 ? 'send-proxy-v2' : 'send-proxy';
  const name = o.name ?? 'echo';
  const lines = [
    'global',
    '    maxconn 4096',
    ...(o.statsSocket ? [`    stats socket ${o.statsSocket} mode 600 level admin`] : []),
    '',
    'defaults',
    '    mode tcp',
    '    timeout connect 2s',
    '    timeout client 60s',
    '    timeout server 60s',
    '    # a connect refused by a stopping instance is retried on another one',
    '    retries 3',
    '    option redispatch 1',
    '',
    `frontend ${name}`,
    `    bind ${o.bind}`,
    `    default_backend ${name}_servers`,
    '',
    `backend ${name}_servers`,
    '    balance roundrobin',
    `    default-server ${send} check check-send-proxy inter 200ms fall 1 rise 1`,
    ...o.servers.map((s) => `    server ${s.name} ${s.address}`),
    '',
  ];
  return lines.join('\n');
}

/**
 * @typedef {object} NginxOptions
 * @property {string} bind          HOST:PORT nginx listens on.
 * @property {Backend[]} servers    The instances behind it.
 * @property {string} [prefix]      Folder for the pid file and error log (tests: a temp folder).
 * @property {string} [modulePath]  The stream module to load (Debian: libnginx-mod-stream).
 */

/**
 * nginx `stream` (TCP) in front of the instances with `proxy_protocol on` (nginx sends v1).
 * The open-source nginx has no active health checks: `max_fails`/`fail_timeout` take an
 * instance out after failed connects, and `proxy_next_upstream` retries the connect elsewhere.
 * @param {NginxOptions} o
 * @returns {string}
 */
export function nginxStreamConfig(o) {
  const lines = [
    `load_module ${o.modulePath ?? '/usr/lib/nginx/modules/ngx_stream_module.so'};`,
    'worker_processes auto;',
    ...(o.prefix ? [`pid ${o.prefix}/nginx.pid;`, `error_log ${o.prefix}/error.log warn;`] : []),
    '',
    'events {',
    '    worker_connections 20000;',
    '}',
    '',
    'stream {',
    '    upstream echo_servers {',
    ...o.servers.map((s) => `        server ${s.address} max_fails=1 fail_timeout=2s;`),
    '    }',
    '    server {',
    `        listen ${o.bind};`,
    '        proxy_pass echo_servers;',
    '        proxy_protocol on;',
    '        proxy_connect_timeout 2s;',
    '        proxy_next_upstream on;',
    '        proxy_timeout 60s;',
    '    }',
    '}',
    '',
  ];
  return lines.join('\n');
}

/** The guide's example: two machines behind one balancer. */
export const DOC_EXAMPLE = {
  bind: '0.0.0.0:7000',
  servers: [
    { name: 'echo1', address: '10.0.0.11:7000' },
    { name: 'echo2', address: '10.0.0.12:7000' },
  ],
};
