// Writes the HTML page that renders a Mermaid diagram with a local mermaid.min.js and checks
// the result in the page itself: the diagram parses, renders to an <svg>, draws exactly one
// node per topology node (plus the note of what was left out), and every node's label shows as
// written. The verdict goes into #status, which mermaid_render.sh reads from the dumped DOM.
// Usage: node mermaid_page.js DIAGRAM.mmd GRAPH.json MERMAID.min.js PAGE.html
'use strict';
const fs = require('fs');
const path = require('path');

const [diagramFile, graphFile, mermaidFile, pageFile] = process.argv.slice(2);
const diagram = fs.readFileSync(diagramFile, 'utf8');
const graph = JSON.parse(fs.readFileSync(graphFile, 'utf8'));
// Above 300 nodes or 400 links the writer draws the riskiest part and a note node
// (src/report/graph_writer.hpp): then the count is the cap plus the note, and labels are not
// checked one by one, since some nodes are left out.
const kMaxNodes = 300;
const capped = diagram.includes('\n  omitted[');
const expected = {
  labels: capped ? [] : graph.nodes.map((node) => node.label),
  nodes: graph.nodes.length === 0 ? 1 : Math.min(graph.nodes.length, kMaxNodes) + (capped ? 1 : 0),
};
// Inside <script>, "</" could close the element: JSON allows writing "<" as \u003c.
const literal = (value) => JSON.stringify(value).replace(/</g, '\\u003c');
const mermaidUrl = path.relative(path.dirname(pageFile), mermaidFile);

const page = `<!doctype html>
<html><head><meta charset="utf-8"><title>fermata topology</title>
<style>body{font-family:sans-serif;margin:8px;background:#fff}#status{font-size:10px;color:#888}
#diagram svg{height:calc(100vh - 32px);width:100%;max-width:100%!important}</style>
<script src="${mermaidUrl}"></script></head>
<body><div id="diagram"></div><div id="status">pending</div>
<script>
const diagram = ${literal(diagram)};
const expected = ${literal(expected)};
const status = document.getElementById('status');
async function check() {
  if (typeof mermaid === 'undefined') throw new Error('mermaid.min.js did not load');
  mermaid.initialize({startOnLoad: false, securityLevel: 'strict', flowchart: {htmlLabels: true}});
  await mermaid.parse(diagram);
  const {svg} = await mermaid.render('topology', diagram);
  const holder = document.getElementById('diagram');
  holder.innerHTML = svg;
  const drawn = holder.querySelector('svg');
  if (!drawn) throw new Error('no svg rendered');
  const nodes = drawn.querySelectorAll('g.node');
  if (nodes.length !== expected.nodes) {
    throw new Error('drew ' + nodes.length + ' nodes, expected ' + expected.nodes);
  }
  const texts = Array.from(nodes, (node) => node.textContent.replace(/\\s+/g, ' '));
  for (const label of expected.labels) {
    const wanted = label.replace(/\\s+/g, ' ');
    if (!texts.some((text) => text.includes(wanted))) throw new Error('label not shown: ' + label);
  }
  return nodes.length;
}
check().then(
  (count) => { status.textContent = 'fermata-render: ok ' + count + ' nodes'; },
  (error) => { status.textContent = 'fermata-render: failed: ' + (error && error.message || error); });
</script></body></html>
`;
fs.writeFileSync(pageFile, page);
