// Copies the portal's static files (HTML, CSS) next to the compiled browser modules.
import { cpSync } from 'node:fs';
cpSync(new URL('./web/static/', import.meta.url), new URL('./dist/web/', import.meta.url), { recursive: true });
