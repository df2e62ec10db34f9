/**
 * Every page belongs to the label that claims the request's host. A host no label claims, a
 * missing Host header (HTTP/1.0) or a malformed one (`localhost:3000@evil.example`) gets a
 * plain 400 page: there is no brand to show it in, and no default label to fall back to.
 * Health endpoints are mounted before this and answer whatever the host.
 */
import type { RequestHandler } from 'express';
import type { LabelsService } from './labels.service.ts';
import { isWellFormedHost } from './labels.links.ts';

const UNKNOWN_HOST_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Unknown web address</title></head>
<body>
<main>
<h1>This web address is not one of our portals</h1>
<p>Check the address you typed or the link you followed. Use the portal address your leasing company gave you.</p>
</main>
</body>
</html>
`;

export function resolveLabel(labels: LabelsService): RequestHandler {
  return async (req, res, next) => {
    const label = isWellFormedHost(req.host) ? await labels.forHost(req.hostname) : undefined;
    if (!label) {
      res.status(400).type('html').setHeader('Cache-Control', 'no-store');
      res.send(UNKNOWN_HOST_PAGE);
      return;
    }
    res.locals.label = label;
    next();
  };
}
