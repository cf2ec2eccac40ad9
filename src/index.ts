import { createApp } from './app.ts';
import { site } from './generated/site.js';

export default createApp({ site });
