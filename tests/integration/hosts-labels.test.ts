/**
 * The label comes from the host; a host no label claims has no page (400), whatever it is, and
 * there is no default label to fall back to. Health endpoints answer on any host.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { startApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
let server: Server;
let port: number;
beforeAll(async () => {
  t = await startApp();
  server = await new Promise<Server>((resolve) => {
    const s = t.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await t.close();
});

/** A raw HTTP/1.0 request (no Host header allowed there); status line and body. */
function rawRequest(lines: string[]): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`${lines.join('\r\n')}\r\n\r\n`));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (data += c));
    socket.on('error', reject);
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, text: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
  });
}

const expectUnknownHostPage = (res: { status: number; text: string }) => {
  expect(res.status).toBe(400);
  expect(res.text).toContain('<h1>This web address is not one of our portals</h1>');
  // A plain page: no label's brand, no layout, no form.
  expect(res.text).not.toContain('Northwind');
  expect(res.text).not.toContain('Maple');
  expect(res.text).not.toContain('<form');
  expect(res.text).not.toMatch(/\n\s+at |Error:/);
};

describe('hosts', () => {
  it('the demo hosts still pick their labels (127.0.0.1, localhost, maple.localhost)', async () => {
    expect((await request(t.app).get('/login')).text).toContain('Northwind Equipment Finance');
    const local = await request(t.app).get('/login').set('Host', `localhost:${port}`);
    expect(local.text).toContain('Northwind Equipment Finance');
    const maple = await request(t.app).get('/login').set('Host', 'maple.localhost');
    expect(maple.status).toBe(200);
    expect(maple.text).toContain('Maple Leaf Leasing');
  });

  it('a host no label claims gets a plain 400 page, on every path and verb, not the default label', async () => {
    for (const path of ['/login', '/', '/forgot-password', '/no-such-page', '/labels/maple/theme.css']) {
      const res = await request(t.app).get(path).set('Host', 'unknown.example');
      expectUnknownHostPage(res);
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['cache-control']).toBe('no-store');
    }
    const post = await request(t.app)
      .post('/forgot-password')
      .set('Host', 'unknown.example')
      .type('form')
      .send({ email: 'ap@acme.example' });
    expectUnknownHostPage(post);
  });

  it('a malformed Host header (user-info, spaces) gets the same 400', async () => {
    for (const host of ['localhost:3000@evil.example', 'localhost evil.example', 'localhost:3000/x']) {
      expectUnknownHostPage(await request(t.app).get('/login').set('Host', host));
    }
  });

  it('a request without a Host header gets 400, not 500', async () => {
    const res = await rawRequest(['GET /login HTTP/1.0']);
    expectUnknownHostPage(res);
  });

  it('health endpoints answer whatever the host, or without one', async () => {
    expect((await request(t.app).get('/healthz').set('Host', 'unknown.example')).status).toBe(200);
    expect((await request(t.app).get('/readyz').set('Host', 'unknown.example')).status).toBe(200);
    expect((await rawRequest(['GET /healthz HTTP/1.0'])).status).toBe(200);
    expect((await rawRequest(['GET /readyz HTTP/1.0'])).status).toBe(200);
  });
});

describe('PUBLIC_URL', () => {
  const prod = {
    NODE_ENV: 'production',
    SESSION_SECRET: 'x'.repeat(40),
    TWO_STEP_ENCRYPTION_KEY: 'ab'.repeat(32),
  };

  it('is required in production (links are never built from a request)', () => {
    expect(() => loadConfig(prod)).toThrow(ConfigError);
    expect(() => loadConfig(prod)).toThrow(/PUBLIC_URL: required in production/);
    expect(loadConfig({ ...prod, PUBLIC_URL: 'https://portal.example' }).publicUrl).toBe(
      'https://portal.example',
    );
    expect(loadConfig({ NODE_ENV: 'development' }).publicUrl).toBeUndefined();
  });

  it('must be a plain http(s) address: no user name, query or fragment', () => {
    for (const bad of [
      'https://portal.example@evil.example',
      'https://user:pw@portal.example',
      'https://portal.example/?next=x',
      'https://portal.example/#x',
      'ftp://portal.example',
      'javascript:alert(1)',
    ]) {
      expect(() => loadConfig({ ...prod, PUBLIC_URL: bad }), bad).toThrow(/PUBLIC_URL/);
    }
    expect(loadConfig({ ...prod, PUBLIC_URL: 'http://localhost:8080/portal' }).publicUrl).toBe(
      'http://localhost:8080/portal',
    );
  });

  it('DEFAULT_LABEL is gone: it no longer names a label for unknown hosts', () => {
    expect(loadConfig({ DEFAULT_LABEL: 'maple' })).not.toHaveProperty('defaultLabel');
  });
});
