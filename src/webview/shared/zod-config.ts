// zod compiles fast parsers with `new Function` when it may; the page's CSP forbids eval, and
// even zod's probe for it would be reported as a violation. Imported first by each view.
import { z } from 'zod';

z.config({ jitless: true });
