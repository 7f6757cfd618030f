import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

// Every project (libs/*, libs/connectors/*, services/*) carries one type:* and one scope:* tag.
const roots = ['libs', 'libs/connectors', 'services'];
const problems: string[] = [];
let projects = 0;
for (const root of roots) {
  for (const dir of readdirSync(root, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    const pkgPath = join(root, dir.name, 'package.json');
    if (!existsSync(pkgPath)) continue;
    projects += 1;
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as {
      nx?: { tags?: string[] };
    };
    const tags = pkg.nx?.tags ?? [];
    if (tags.filter((t) => t.startsWith('type:')).length !== 1)
      problems.push(`${pkgPath}: needs exactly one type:* tag`);
    if (tags.filter((t) => t.startsWith('scope:')).length !== 1)
      problems.push(`${pkgPath}: needs exactly one scope:* tag`);
  }
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`${projects} projects tagged`);
