// The client: starts `kpi lsp` (the kpidsl.server.command setting) for .kpi files and passes it
// the unit whose scores the inlay hints show (kpidsl.unit).
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function unit() {
  return vscode.workspace.getConfiguration("kpidsl").get("unit") || null;
}

async function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("kpidsl").get("server.command");
  client = new LanguageClient(
    "kpidsl",
    "kpidsl (kpi lsp)",
    { command, args },
    {
      documentSelector: [{ scheme: "file", language: "kpi" }, { scheme: "untitled", language: "kpi" }],
      initializationOptions: { unit: unit() },
      synchronize: { configurationSection: "kpidsl" },
    },
  );
  context.subscriptions.push(client);
  await client.start();
}

async function deactivate() {
  if (client) {
    await client.stop();
  }
}

module.exports = { activate, deactivate };
