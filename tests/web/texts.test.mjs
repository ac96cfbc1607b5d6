// STYLE §17: the console's pt-BR texts live in web/src/texts.ts; the verbatim ones match SPEC.md exactly, and the
// names of screens, fields and actions are the seed article's own words.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./harness.mjs";

const source = readFileSync(path.join(repoRoot, "web/src/texts.ts"), "utf8");
const shared = path.join(repoRoot, "..", "shared");
const spec = readFileSync(path.join(shared, "SPEC.md"), "utf8");
const seedDir = path.join(shared, "seed");
const seed = readdirSync(seedDir).map((f) => readFileSync(path.join(seedDir, f), "utf8")).join("\n");

function block(name) {
  const start = source.indexOf(`export const ${name} = {`);
  assert.ok(start >= 0, `texts.ts has ${name}`);
  return source.slice(start, source.indexOf("} as const;", start));
}
const entries = (text) => [...text.matchAll(/^\s+(\w+): "([^"]+)",/gm)].map((m) => [m[1], m[2]]);

test("R3, R12, R13, R18: the console's verbatim texts are quoted in SPEC.md exactly", () => {
  const verbatim = entries(block("verbatim"));
  assert.equal(verbatim.length, 6);
  for (const [key, text] of verbatim) {
    assert.ok(spec.includes("`" + text + "`") || spec.includes(`"${text}"`), `${key}: SPEC.md does not quote "${text}"`);
  }
});

test("R1–R10, R16, R17: screen, field and action names are the seed article's words", () => {
  const names = Object.fromEntries(entries(block("labels")));
  for (const key of ["attendance", "history", "newConversation", "channel", "to", "createConversation", "chooseTemplate", "templateText",
    "selectTemplate", "qualify", "description", "finish", "startFromHistory", "actions"]) {
    assert.ok(names[key], `labels.${key}`);
    assert.ok(seed.includes(names[key]), `labels.${key} = "${names[key]}" is not in the seed article`);
  }
});

test("R7, R8: the console's window alerts are the API's own texts (PtBr.cs)", () => {
  const ptBr = readFileSync(path.join(repoRoot, "functions/Smartspace.Core/Text/PtBr.cs"), "utf8").replace(/"\s*\+?\s*\n\s*"/g, "");
  const names = Object.fromEntries(entries(block("labels")));
  for (const [key, constant] of [["windowClosedAlert", "WindowClosed"], ["awaitingReplyAlert", "AwaitingCustomerReply"]]) {
    const match = ptBr.match(new RegExp(`const string ${constant} =\\s*"([^"]+)"`));
    assert.ok(match, `PtBr.${constant}`);
    assert.equal(names[key], match[1], `labels.${key} = PtBr.${constant}`);
  }
});
