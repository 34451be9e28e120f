import { ASSETS_DIR, buildAssets } from "./lib/build-assets.ts";

buildAssets();
console.log(`built ${ASSETS_DIR}`);
