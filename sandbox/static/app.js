// Mentor Coach playground: a small Discord-like client for the local sandbox.
// Plain JS, no build step. The server does the Discord part (playground.py); this file renders.
"use strict";

const $ = (selector) => document.querySelector(selector);

const ui = {
  persona: null, // user id (string)
  channel: null, // guild channel id, or "dm"
  personas: [],
  world: null,
  messages: [],
  clock: { offset_ms: 0, next_available: false },
  dismissed: new Set(),
  menu: { open: false, items: [], active: 0 },
  command: null, // the command entry whose form is open
  busy: false,
  rendered: new Map(), // message id -> { key, node } of the messages on show
  namesKey: "",
};

// -- small helpers --------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "html") node.innerHTML = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function escapeHtml(text) {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

async function api(path, body) {
  const options =
    body === undefined
      ? {}
      : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  let response;
  try {
    response = await fetch(`/playground/${path}`, options);
  } catch (error) {
    return { ok: false, error: `The playground server cannot be reached (${error.message}).` };
  }
  try {
    const data = await response.json();
    if (!response.ok && data.ok === undefined) data.ok = false;
    return data;
  } catch {
    return { ok: false, error: `HTTP ${response.status}` };
  }
}

const AVATAR_COLOURS = ["#5865f2", "#3ba55c", "#faa61a", "#ed4245", "#eb459e", "#1abc9c", "#9b59b6"];

function avatar(name, id) {
  const colour = AVATAR_COLOURS[Number(BigInt(id || "0") % 7n)];
  return el("span", { class: "avatar", style: `background:${colour}`, "aria-hidden": "true" },
    (name || "?").slice(0, 1).toUpperCase());
}

const SVG_NS = "http://www.w3.org/2000/svg";

function icon(path) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "16");
  svg.setAttribute("height", "16");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "icon");
  const shape = document.createElementNS(SVG_NS, "path");
  shape.setAttribute("d", path);
  shape.setAttribute("fill", "currentColor");
  svg.append(shape);
  return svg;
}

const EYE = "M12 5C6.5 5 2.7 9.2 1.5 12c1.2 2.8 5 7 10.5 7s9.3-4.2 10.5-7C21.3 9.2 17.5 5 12 5zm0 11.5a4.5 4.5 0 1 1 0-9 4.5 4.5 0 0 1 0 9zm0-2.3a2.2 2.2 0 1 0 0-4.4 2.2 2.2 0 0 0 0 4.4z";
const FILE = "M6 2h8l6 6v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm7 1.5V9h5.5L13 3.5z";

function showError(text) {
  const box = $("#error");
  box.textContent = text || "";
  box.hidden = !text;
}

function setPending(text) {
  $("#pending").textContent = text || "";
}

// -- time ----------------------------------------------------------------------------

function worldNow() {
  return Date.now() + (ui.clock.offset_ms || 0);
}

const STAMP_FORMATS = {
  t: { hour: "2-digit", minute: "2-digit" },
  T: { hour: "2-digit", minute: "2-digit", second: "2-digit" },
  d: { year: "numeric", month: "2-digit", day: "2-digit" },
  D: { year: "numeric", month: "long", day: "numeric" },
  f: { year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit" },
  F: { weekday: "long", year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit" },
};

function relativeTime(ms) {
  const seconds = Math.round((ms - worldNow()) / 1000);
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  const steps = [
    ["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400],
    ["hour", 3600], ["minute", 60], ["second", 1],
  ];
  for (const [unit, size] of steps) {
    if (Math.abs(seconds) >= size || unit === "second") {
      return format.format(Math.round(seconds / size), unit);
    }
  }
  return "";
}

function formatStamp(unix, style) {
  const ms = Number(unix) * 1000;
  if (style === "R") return relativeTime(ms);
  return new Intl.DateTimeFormat(undefined, STAMP_FORMATS[style] || STAMP_FORMATS.f).format(new Date(ms));
}

function refreshRelativeStamps() {
  for (const node of document.querySelectorAll("time.timestamp[data-style='R']")) {
    node.textContent = formatStamp(node.dataset.unix, "R");
  }
}

function shortTime(iso) {
  const date = new Date(iso);
  const today = new Date(worldNow()).toDateString() === date.toDateString();
  const options = today
    ? { hour: "2-digit", minute: "2-digit" }
    : { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
  return new Intl.DateTimeFormat(undefined, options).format(date);
}

function renderClock() {
  const now = new Date(worldNow());
  $("#world-time").textContent = new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    timeZoneName: "short",
  }).format(now);
  $("#world-time").setAttribute("datetime", now.toISOString());
  const offset = ui.clock.offset_ms || 0;
  let ahead = "";
  if (offset >= 60000) {
    const days = Math.floor(offset / 86400000);
    const hours = Math.floor((offset % 86400000) / 3600000);
    const minutes = Math.floor((offset % 3600000) / 60000);
    const parts = [];
    if (days) parts.push(`${days} d`);
    if (hours) parts.push(`${hours} h`);
    if (minutes && !days) parts.push(`${minutes} min`);
    ahead = `(${parts.join(" ")} ahead of real time)`;
  }
  $("#clock-offset").textContent = ahead;
  $("#advance-next").hidden = !ui.clock.next_available;
}

// -- markdown, mentions, timestamps -----------------------------------------------------------

function inlineMarkdown(escaped) {
  const names = ui.world ? ui.world.names : { users: {}, roles: {}, channels: {} };
  const codes = [];
  let text = escaped.replace(/`([^`]+)`/g, (_, code) => {
    codes.push(`<code>${code}</code>`);
    return `\u0000${codes.length - 1}\u0000`;
  });
  text = text
    .replace(/&lt;@!?(\d+)&gt;/g, (_, id) => {
      const me = id === ui.persona ? " me" : "";
      const name = names.users[id] || "unknown-user";
      return `<span class="mention${me}" data-user="${id}">@${escapeHtml(name)}</span>`;
    })
    .replace(/&lt;@&amp;(\d+)&gt;/g, (_, id) =>
      `<span class="mention">@${escapeHtml(names.roles[id] || "deleted-role")}</span>`)
    .replace(/&lt;#(\d+)&gt;/g, (_, id) =>
      `<span class="mention">#${escapeHtml(names.channels[id] || "unknown")}</span>`)
    .replace(/&lt;t:(-?\d+)(?::([tTdDfFR]))?&gt;/g, (_, unix, style = "f") => {
      const iso = new Date(Number(unix) * 1000).toISOString();
      const full = escapeHtml(formatStamp(unix, "F"));
      return `<time class="timestamp" datetime="${iso}" title="${full}" data-unix="${unix}" data-style="${style}">${escapeHtml(formatStamp(unix, style))}</time>`;
    })
    .replace(/&lt;\/([\w -]+):(\d+)&gt;/g, (_, name) => `<span class="mention">/${name}</span>`)
    .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g,
      (_, label, url) => `<a href="${url}" target="_blank" rel="noopener noreferrer">${label}</a>`)
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/__([^_]+)__/g, "<u>$1</u>")
    .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>")
    .replace(/(^|[^\w])_([^_\s][^_]*)_(?!\w)/g, "$1<em>$2</em>")
    .replace(/~~([^~]+)~~/g, "<s>$1</s>")
    .replace(/\|\|([^|]+)\|\|/g, '<span class="spoiler" tabindex="0" role="button" aria-label="spoiler">$1</span>');
  return text.replace(/\u0000(\d+)\u0000/g, (_, i) => codes[Number(i)]);
}

function markdown(source) {
  if (!source) return "";
  const blocks = [];
  let text = escapeHtml(source).replace(/```(?:\w+\n)?([\s\S]*?)```/g, (_, code) => {
    blocks.push(`<pre><code>${code.replace(/^\n/, "")}</code></pre>`);
    return `\u0001${blocks.length - 1}\u0001`;
  });
  const out = [];
  let list = null;
  for (const line of text.split("\n")) {
    const bullet = line.match(/^\s*[-*] (.*)$/);
    if (bullet) {
      list = list || [];
      list.push(`<li>${inlineMarkdown(bullet[1])}</li>`);
      continue;
    }
    if (list) {
      out.push(`<ul>${list.join("")}</ul>`);
      list = null;
    }
    let match;
    if ((match = line.match(/^(#{1,3}) (.*)$/))) {
      const level = match[1].length;
      out.push(`<h${level}>${inlineMarkdown(match[2])}</h${level}>`);
    } else if ((match = line.match(/^-# (.*)$/))) {
      out.push(`<span class="subtext">${inlineMarkdown(match[1])}</span>\n`);
    } else if ((match = line.match(/^&gt; ?(.*)$/))) {
      out.push(`<blockquote>${inlineMarkdown(match[1])}</blockquote>`);
    } else {
      out.push(`${inlineMarkdown(line)}\n`);
    }
  }
  if (list) out.push(`<ul>${list.join("")}</ul>`);
  let html = out.join("").replace(/\n$/, "");
  html = html.replace(/\u0001(\d+)\u0001/g, (_, i) => blocks[Number(i)]);
  return html;
}

// -- loading the world ----------------------------------------------------------------------

let refreshing = null;
let refreshAgain = false;

async function refresh() {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      refreshAgain = false;
      await loadWorld();
      await loadMessages();
    } while (refreshAgain);
  })();
  try {
    await refreshing;
  } finally {
    refreshing = null;
  }
}

async function loadPersonas() {
  const data = await api("personas");
  ui.personas = data.personas || [];
  const stored = localStorage.getItem("playground.persona");
  const known = ui.personas.some((p) => p.id === stored);
  ui.persona = known ? stored : ui.personas.length ? ui.personas[0].id : null;
  const select = $("#persona");
  select.replaceChildren(
    ...ui.personas.map((p) => el("option", { value: p.id, text: `${p.name} (@${p.username})` })),
  );
  select.value = ui.persona;
}

async function loadWorld() {
  if (!ui.persona) return;
  const world = await api(`world?persona=${ui.persona}`);
  if (world.ok === false) {
    showError(world.error);
    return;
  }
  ui.world = world;
  ui.namesKey = JSON.stringify(world.names);
  ui.clock = world.clock;
  const known = ui.channel === "dm" || world.channels.some((c) => c.id === ui.channel);
  if (!known) ui.channel = localStorage.getItem("playground.channel") || world.channels[0]?.id;
  if (ui.channel !== "dm" && !world.channels.some((c) => c.id === ui.channel)) {
    ui.channel = world.channels[0]?.id;
  }
  renderSidebar();
  renderMembers();
  renderClock();
}

async function loadMessages() {
  if (!ui.persona || !ui.channel) return;
  const data = await api(`messages?persona=${ui.persona}&channel=${ui.channel}`);
  if (data.ok === false) {
    showError(data.error);
    return;
  }
  ui.messages = data.messages;
  renderMessages();
}

// -- sidebar and members --------------------------------------------------------------------

function selectChannel(id) {
  if (ui.channel === id) return;
  ui.channel = id;
  localStorage.setItem("playground.channel", id);
  closeCommandForm();
  renderSidebar();
  ui.messages = [];
  renderMessages();
  loadMessages();
  $("#composer-input").focus();
}

function renderSidebar() {
  const world = ui.world;
  $("#guild-name").textContent = world.guild.name;
  $("#channel-list").replaceChildren(
    ...world.channels.map((channel) =>
      el("li", {},
        el("button", {
          type: "button",
          "aria-current": channel.id === ui.channel ? "page" : null,
          onclick: () => selectChannel(channel.id),
        }, el("span", { class: "hash", "aria-hidden": "true" }, channel.thread ? "↳" : "#"), channel.name)),
    ),
  );
  $("#dm-list").replaceChildren(
    el("li", {},
      el("button", {
        type: "button",
        id: "dm-button",
        "aria-current": ui.channel === "dm" ? "page" : null,
        onclick: () => selectChannel("dm"),
      }, avatar(world.bot.name, world.bot.id), world.bot.name)),
  );
  let title;
  let topic = "";
  if (ui.channel === "dm") {
    title = `${world.bot.name} (direct messages)`;
    topic = "Only you and the bot see this conversation.";
  } else {
    const channel = world.channels.find((c) => c.id === ui.channel);
    title = channel ? `#${channel.name}` : "";
    topic = channel?.topic || "";
  }
  $("#channel-title").textContent = title;
  $("#channel-topic").textContent = topic;
  $("#composer-input").placeholder =
    ui.channel === "dm" ? `Message @${world.bot.name}, or type / for commands` : `Message ${title}, or type / for commands`;
}

function renderMembers() {
  const groups = new Map();
  for (const member of ui.world.members) {
    const group = member.bot ? "Apps" : member.roles[0] || "Members";
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push(member);
  }
  const order = ["Moderator", "Mentor", "Student", "Members", "Apps"];
  const names = [...groups.keys()].sort((a, b) => (order.indexOf(a) + 99) % 99 - (order.indexOf(b) + 99) % 99);
  $("#member-list").replaceChildren(
    ...names.map((name) =>
      el("section", { class: "group", "aria-label": name },
        el("h3", { class: "section-title" }, `${name} — ${groups.get(name).length}`),
        el("ul", {}, groups.get(name).map((m) =>
          el("li", {
            class: m.id === ui.persona ? "me" : null,
            tabindex: "0",
            dataset: { user: m.id },
            oncontextmenu: (event) => openContextMenu(event, "user", m.id, m.name),
            onkeydown: (event) => {
              if (event.key === "ContextMenu" || (event.shiftKey && event.key === "F10")) {
                openContextMenu(event, "user", m.id, m.name);
              }
            },
          },
            avatar(m.name, m.id),
            el("span", { class: "who" }, el("span", {}, m.name, m.id === ui.persona ? " (you)" : ""),
              el("small", {}, m.bot ? "app" : `@${m.username} · ${m.locale}`)))))),
    ),
  );
}

// -- messages ---------------------------------------------------------------------------

function renderMessages() {
  const list = $("#messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const visible = ui.messages.filter((m) => !ui.dismissed.has(m.id));
  if (!visible.length) {
    const text = ui.channel === "dm"
      ? "No direct messages with the bot yet. Reminders and DMs from the bot land here."
      : "No messages here yet. Type / to use a command.";
    list.replaceChildren(el("li", { class: "empty" }, text));
    return;
  }
  // Keep the node of every message that did not change: a live update must not drop what the
  // user is doing in it (a multi-select being ticked, a focused button).
  const context = `${ui.persona}|${ui.namesKey}|${new Date(worldNow()).toDateString()}`;
  const previous = ui.rendered;
  ui.rendered = new Map();
  const nodes = visible.map((message) => {
    const key = `${context}|${JSON.stringify(message)}`;
    const kept = previous.get(message.id);
    const node = kept && kept.key === key ? kept.node : renderMessage(message);
    ui.rendered.set(message.id, { key, node });
    return node;
  });
  const current = [...list.children];
  if (current.length !== nodes.length || current.some((node, i) => node !== nodes[i])) {
    list.replaceChildren(...nodes);
  }
  if (atBottom || list.dataset.channel !== ui.channel) list.scrollTop = list.scrollHeight;
  list.dataset.channel = ui.channel;
}

function renderMessage(message) {
  const body = el("div", { class: "message-body" });
  if (message.interaction) {
    const command = message.interaction.command;
    body.append(el("div", { class: "used-command" },
      `${message.interaction.user} used `,
      command ? el("span", { class: "command-name" }, `/${command}`) : "a component"));
  }
  body.append(el("div", { class: "message-head" },
    el("span", {
      class: "author",
      oncontextmenu: (event) => {
        event.stopPropagation();
        openContextMenu(event, "user", message.author.id, message.author.name);
      },
    }, message.author.name),
    message.author.bot ? el("span", { class: "app-tag" }, "App") : null,
    el("time", { class: "sent-at", datetime: message.timestamp }, shortTime(message.timestamp)),
    el("button", {
      type: "button",
      class: "more",
      "aria-label": `Apps for the message by ${message.author.name}`,
      title: "Apps (or right-click the message)",
      "aria-haspopup": "menu",
      onclick: (event) => openContextMenu(event, "message", message.id, `Message by ${message.author.name}`),
    }, "⋯")));
  if (message.loading) {
    body.append(el("div", { class: "loading" }, `${message.author.name} is thinking…`));
  }
  const files = attachmentFiles(message);
  if (message.content) {
    body.append(el("div", { class: "content", html: markdown(message.content) },
      message.edited ? el("span", { class: "edited" }, " (edited)") : null));
  }
  for (const embed of message.embeds || []) body.append(renderEmbed(embed));
  const shown = (message.attachments || []).filter((file) => !files.referenced.has(file.filename));
  if (shown.length) body.append(renderAttachments(shown));
  if (message.components?.length) body.append(renderComponents(message.components, message));
  if (message.ephemeral) {
    body.append(el("div", { class: "ephemeral-note" },
      icon(EYE),
      el("span", {}, "Only you can see this"),
      "·",
      el("button", {
        type: "button",
        onclick: () => {
          ui.dismissed.add(message.id);
          renderMessages();
        },
      }, "Dismiss message")));
  }
  return el("li", {
    class: `message${message.ephemeral ? " ephemeral" : ""}${message.components_v2 ? " v2" : ""}`,
    dataset: { id: message.id },
    oncontextmenu: (event) => {
      if (event.target.closest("a, input, textarea, select")) return; // the browser's own menu
      openContextMenu(event, "message", message.id, `Message by ${message.author.name}`);
    },
    "aria-label": `${message.author.name}${message.ephemeral ? ", only you can see this" : ""}`,
  }, avatar(message.author.name, message.author.id), body);
}

function colourOf(value) {
  if (value === undefined || value === null) return null;
  return `#${Number(value).toString(16).padStart(6, "0")}`;
}

function renderEmbed(embed) {
  const bar = colourOf(embed.color);
  const node = el("article", { class: "embed", style: bar ? `--bar:${bar}` : null });
  if (embed.thumbnail?.url) node.append(el("img", { class: "embed-thumbnail", src: embed.thumbnail.url, alt: "" }));
  if (embed.author?.name) node.append(el("div", { class: "embed-author" }, embed.author.name));
  if (embed.title) {
    const title = el("div", { class: "embed-title", html: inlineMarkdown(escapeHtml(embed.title)) });
    node.append(embed.url ? el("a", { href: embed.url, target: "_blank", rel: "noopener" }, title) : title);
  }
  if (embed.description) node.append(el("div", { class: "embed-description content", html: markdown(embed.description) }));
  if (embed.fields?.length) {
    node.append(el("div", { class: "embed-fields" }, embed.fields.map((field) =>
      el("div", { class: `embed-field${field.inline ? " inline" : ""}` },
        el("div", { class: "embed-field-name", html: inlineMarkdown(escapeHtml(field.name)) }),
        el("div", { class: "content", html: markdown(field.value) })))));
  }
  if (embed.image?.url) node.append(el("img", { class: "embed-image", src: embed.image.url, alt: embed.title ? `${embed.title} (image)` : "" }));
  const footer = [embed.footer?.text, embed.timestamp ? shortTime(embed.timestamp) : null].filter(Boolean);
  if (footer.length) node.append(el("div", { class: "embed-footer" }, footer.join(" • ")));
  return node;
}

function renderAttachments(attachments) {
  return el("div", { class: "attachments" }, attachments.map((file) =>
    file.image
      ? el("a", { href: file.url, target: "_blank", rel: "noopener" },
        el("img", { src: file.url, alt: file.description || file.filename }))
      : el("a", { class: "file", href: file.url, download: file.filename },
        icon(FILE),
        el("span", {}, file.filename, el("br"), el("small", {}, `${(file.size / 1024).toFixed(1)} KB — download`)))));
}

// Files a Components V2 message refers to as attachment://name are shown where referenced.
function attachmentFiles(message) {
  const byName = new Map((message.attachments || []).map((file) => [file.filename, file]));
  const referenced = new Set();
  const text = JSON.stringify(message.components || []);
  for (const match of text.matchAll(/"attachment:\/\/([^"]+)"/g)) {
    if (byName.has(match[1])) referenced.add(match[1]);
  }
  return { byName, referenced };
}

function mediaUrl(url, message) {
  if (typeof url === "string" && url.startsWith("attachment://")) {
    const file = attachmentFiles(message).byName.get(url.slice("attachment://".length));
    return file ? file.url : null;
  }
  return url || null;
}

function componentLabel(component) {
  const emoji = component.emoji?.name && !component.emoji.id ? `${component.emoji.name} ` : "";
  return `${emoji}${component.label || ""}`.trim() || component.custom_id || "…";
}

// What a user (5), role (6), mentionable (7) or channel (8) select offers; `channelTypes`
// narrows the channels (Discord channel types: 0 text, 11 public thread, 12 private thread...).
function optionsFor(kind, channelTypes) {
  const world = ui.world;
  const users = world.members.map((m) => ({ value: m.id, label: `${m.name} (@${m.username})` }));
  const roles = world.roles.map((r) => ({ value: r.id, label: `@${r.name}` }));
  const channels = world.channels
    .filter((c) => !channelTypes?.length || channelTypes.includes(c.type))
    .map((c) => ({ value: c.id, label: `${c.thread ? "↳ " : "#"}${c.name}` }));
  return { 5: users, 6: roles, 7: [...users, ...roles], 8: channels }[kind] || [];
}

function selectChoices(component) {
  if (component.type === 3) {
    return (component.options || []).map((o) => ({
      value: o.value, label: componentLabel(o), description: o.description, selected: o.default,
    }));
  }
  const defaults = new Set((component.default_values || []).map((d) => String(d.id)));
  return optionsFor(component.type, component.channel_types)
    .map((choice) => ({ ...choice, selected: defaults.has(choice.value) }));
}

// A Discord-like multi-select: a closed box that opens a list of ticks; closing it sends.
function multiDropdown({ label, choices, low, high, disabled, onClose }) {
  const id = `dropdown-${Math.random().toString(36).slice(2, 9)}`;
  const picked = new Set(choices.filter((c) => c.selected).map((c) => c.value));
  let before = new Set(picked);
  const summary = el("span", { class: "dropdown-summary" });
  const toggle = el("button", {
    type: "button", class: "dropdown-toggle", role: "combobox", "aria-label": label,
    "aria-haspopup": "listbox", "aria-expanded": "false", "aria-controls": id, disabled,
  }, summary, el("span", { class: "chevron", "aria-hidden": "true" }, "▾"));
  const items = choices.map((choice) => el("li", {
    role: "option", tabindex: "-1", "aria-selected": picked.has(choice.value) ? "true" : "false",
    dataset: { value: choice.value }, title: choice.description || null,
  }, el("span", { class: "tick", "aria-hidden": "true" }),
    el("span", { class: "option-text" }, choice.label, choice.description ? el("small", {}, choice.description) : null)));
  const list = el("ul", { id, role: "listbox", "aria-multiselectable": "true", "aria-label": label }, items);
  const counter = el("span", { class: "muted" });
  const done = el("button", { type: "button", class: "primary" }, "Done");
  const panel = el("div", { class: "dropdown-panel", hidden: true }, list, el("div", { class: "dropdown-foot" }, counter, done));
  const root = el("div", { class: "dropdown" }, toggle, panel);
  const bounds = low === high ? `Pick ${low}` : `Pick ${low}–${high}`;
  const paint = () => {
    const labels = choices.filter((c) => picked.has(c.value)).map((c) => c.label);
    summary.textContent = labels.length ? labels.join(", ") : label;
    summary.classList.toggle("placeholder", !labels.length);
    counter.textContent = `${picked.size} of ${high} picked · ${bounds}`;
    for (const item of items) {
      const on = picked.has(item.dataset.value);
      item.setAttribute("aria-selected", on ? "true" : "false");
      item.setAttribute("aria-disabled", !on && picked.size >= high ? "true" : "false");
    }
  };
  const outside = (event) => { if (!root.contains(event.target)) close(); };
  const open = () => {
    before = new Set(picked);
    panel.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
    document.addEventListener("mousedown", outside, true);
    panel.scrollIntoView({ block: "nearest" });
    (items[0] || done).focus({ preventScroll: true });
  };
  function close() {
    if (panel.hidden) return;
    panel.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    document.removeEventListener("mousedown", outside, true);
    const changed = before.size !== picked.size || [...picked].some((v) => !before.has(v));
    if (changed && onClose) onClose([...picked]);
  }
  toggle.addEventListener("click", () => (panel.hidden ? open() : close()));
  done.addEventListener("click", () => { close(); toggle.focus(); });
  items.forEach((item, index) => {
    const flip = () => {
      const value = item.dataset.value;
      if (picked.has(value)) picked.delete(value);
      else if (picked.size < high) picked.add(value);
      root.removeAttribute("aria-invalid");
      paint();
    };
    item.addEventListener("click", flip);
    item.addEventListener("keydown", (event) => {
      if (event.key === " " || event.key === "Enter") { event.preventDefault(); flip(); }
      else if (event.key === "ArrowDown") { event.preventDefault(); (items[index + 1] || done).focus(); }
      else if (event.key === "ArrowUp") { event.preventDefault(); (items[index - 1] || toggle).focus(); }
    });
  });
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) { event.preventDefault(); event.stopPropagation(); close(); toggle.focus(); }
  });
  root.values = () => [...picked];
  root.setValues = (values) => { picked.clear(); values.forEach((v) => picked.add(v)); paint(); };
  paint();
  return root;
}

function pickBounds(low, high) {
  return low === high ? `Pick ${low} option${low === 1 ? "" : "s"}.` : `Pick between ${low} and ${high} options.`;
}

function renderSelect(component, message) {
  const low = component.min_values ?? 1;
  const high = component.max_values || 1;
  const choices = selectChoices(component);
  if (high > 1) {
    const dropdown = multiDropdown({
      label: component.placeholder || "Make a selection", choices, low, high, disabled: component.disabled,
      onClose: (values) => {
        if (values.length < low || values.length > high) {
          showError(pickBounds(low, high));
          return;
        }
        sendComponent(message, component, values, dropdown.querySelector(".dropdown-toggle"));
      },
    });
    return dropdown;
  }
  const select = el("select", {
    "aria-label": component.placeholder || "Choose",
    disabled: component.disabled,
    dataset: { customId: component.custom_id },
  });
  select.append(el("option", { value: "", disabled: true, selected: !choices.some((c) => c.selected) },
    component.placeholder || "Make a selection"));
  // Discord lets you deselect when the select takes no value at all (min_values 0).
  if (low === 0) select.append(el("option", { value: "", dataset: { clear: "1" } }, "(none) — clear the choice"));
  for (const choice of choices) {
    select.append(el("option", { value: choice.value, selected: choice.selected, title: choice.description || null },
      choice.description ? `${choice.label} — ${choice.description}` : choice.label));
  }
  select.addEventListener("change", () => {
    const values = [...select.selectedOptions].map((o) => o.value).filter(Boolean);
    const clearing = select.selectedOptions[0]?.dataset.clear === "1";
    if (!values.length && !clearing) return;
    if (values.length < low) {
      showError(pickBounds(low, high));
      return;
    }
    sendComponent(message, component, values, select);
  });
  return select;
}

function renderComponent(component, message) {
  switch (component.type) {
    case 1:
      return el("div", { class: "action-row" }, (component.components || []).map((c) => renderComponent(c, message)));
    case 2:
      if (component.style === 5) {
        return el("a", { class: "btn-5", href: component.url, target: "_blank", rel: "noopener noreferrer" },
          componentLabel(component), " ↗");
      }
      return el("button", {
        type: "button",
        class: `btn-${component.style || 2}`,
        disabled: component.disabled,
        dataset: { customId: component.custom_id },
        onclick: (event) => sendComponent(message, component, null, event.currentTarget),
      }, componentLabel(component));
    case 3: case 5: case 6: case 7: case 8:
      return renderSelect(component, message);
    case 9: // section: text displays with an accessory (a button or a thumbnail)
      return el("div", { class: "section" },
        el("div", { class: "section-text" }, (component.components || []).map((c) => renderComponent(c, message))),
        component.accessory ? renderComponent(component.accessory, message) : null);
    case 10: // text display
      return el("div", { class: "content text-display", html: markdown(component.content) });
    case 11: { // thumbnail
      const src = mediaUrl(component.media?.url, message);
      return src ? el("img", { class: `thumbnail${component.spoiler ? " blurred" : ""}`, src, alt: component.description || "" }) : null;
    }
    case 12: // media gallery
      return el("div", { class: "gallery" }, (component.items || []).map((item) => {
        const src = mediaUrl(item.media?.url, message);
        return src ? el("img", { class: item.spoiler ? "blurred" : null, src, alt: item.description || "" }) : null;
      }));
    case 13: { // file
      const url = mediaUrl(component.file?.url, message);
      const file = (message.attachments || []).find((f) => f.url === url);
      return file ? renderAttachments([{ ...file, image: false }]) : null;
    }
    case 14: // separator: a line unless divider is false; spacing 1 small, 2 large
      return el("hr", {
        class: `separator${component.divider === false ? " invisible" : ""}${component.spacing === 2 ? " large" : ""}`,
        "aria-hidden": component.divider === false ? "true" : null,
      });
    case 17: { // container
      const bar = colourOf(component.accent_color);
      return el("div", { class: `container${component.spoiler ? " blurred" : ""}`, style: bar ? `--bar:${bar}` : null },
        (component.components || []).map((c) => renderComponent(c, message)));
    }
    default:
      return null;
  }
}

function renderComponents(components, message) {
  return el("div", { class: "components" }, components.map((c) => renderComponent(c, message)));
}

async function sendComponent(message, component, values, control) {
  if (control) control.disabled = true;
  showError("");
  setPending(`${ui.world.bot.name} is responding…`);
  const answer = await api("component", {
    persona: ui.persona, message: message.id, custom_id: component.custom_id, values,
  });
  setPending("");
  if (control) control.disabled = false;
  handleAnswer(answer);
}

function handleAnswer(answer) {
  if (!answer.ok) {
    showError(answer.error || "Something went wrong.");
    return false;
  }
  if (answer.modal) openModal(answer.modal);
  refresh();
  return true;
}

// -- right-click menus: user and message commands ("Apps") ----------------------------------

function contextCommands(kind) {
  if (!ui.world?.context_commands) return [];
  const where = ui.channel === "dm" ? "dm" : "guild";
  return ui.world.context_commands[where][kind] || [];
}

function openContextMenu(event, kind, target, title) {
  event.preventDefault();
  const menu = $("#context-menu");
  const commands = contextCommands(kind);
  const items = commands.map((command) => el("button", {
    type: "button",
    role: "menuitem",
    onclick: () => {
      closeContextMenu();
      runContextCommand(kind, command, target);
    },
  }, command.label));
  menu.replaceChildren(
    el("p", { class: "context-title", role: "presentation" }, title),
    el("p", { class: "section-title", role: "presentation" }, "Apps"),
    ...(items.length ? items : [el("p", { class: "muted none", role: "presentation" },
      kind === "user" ? "No user command here." : "No message command here.")]),
  );
  menu.setAttribute("aria-label", `${kind === "user" ? "User" : "Message"} apps: ${title}`);
  menu.hidden = false;
  const anchor = event.clientX || event.clientY
    ? { x: event.clientX, y: event.clientY }
    : (() => {
      const box = event.currentTarget.getBoundingClientRect();
      return { x: box.left, y: box.bottom };
    })();
  const { width, height } = menu.getBoundingClientRect();
  menu.style.left = `${Math.max(4, Math.min(anchor.x, window.innerWidth - width - 4))}px`;
  menu.style.top = `${Math.max(4, Math.min(anchor.y, window.innerHeight - height - 4))}px`;
  menu.returnFocus = document.activeElement;
  (menu.querySelector("[role='menuitem']") || menu).focus();
}

function closeContextMenu() {
  const menu = $("#context-menu");
  if (menu.hidden) return;
  menu.hidden = true;
  if (menu.returnFocus?.isConnected) menu.returnFocus.focus();
}

async function runContextCommand(kind, command, target) {
  showError("");
  setPending(`${ui.world.bot.name} is responding to ${command.label}…`);
  const answer = await api("context", {
    persona: ui.persona, channel: ui.channel, kind, name: command.name, target,
  });
  setPending("");
  handleAnswer(answer);
}

function wireContextMenu() {
  const menu = $("#context-menu");
  document.addEventListener("mousedown", (event) => {
    if (!menu.hidden && !menu.contains(event.target)) closeContextMenu();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !menu.hidden) closeContextMenu();
  });
  $("#messages").addEventListener("scroll", () => { if (!menu.hidden) menu.hidden = true; });
  menu.addEventListener("keydown", (event) => {
    const items = [...menu.querySelectorAll("[role='menuitem']")];
    const index = items.indexOf(document.activeElement);
    if (event.key === "ArrowDown") { event.preventDefault(); items[(index + 1) % items.length]?.focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); items[(index - 1 + items.length) % items.length]?.focus(); }
    if (event.key === "Tab") closeContextMenu();
  });
}

// -- composer and command menu ------------------------------------------------------------

function commandList() {
  if (!ui.world) return [];
  return ui.channel === "dm" ? ui.world.commands.dm : ui.world.commands.guild;
}

function openMenu(items) {
  const menu = $("#command-menu");
  ui.menu = { open: true, items, active: 0 };
  menu.replaceChildren(...(items.length ? items.map((item, index) =>
    el("li", {
      id: `command-option-${index}`,
      role: "option",
      "aria-selected": index === 0 ? "true" : "false",
      onmousedown: (event) => {
        event.preventDefault();
        chooseCommand(item);
      },
    }, el("span", { class: "path" }, `/${item.path}`), el("span", { class: "description" }, item.description)))
    : [el("li", { role: "option", "aria-disabled": "true", class: "muted" }, "No command matches. The bot may still be starting.")]));
  menu.hidden = false;
  const input = $("#composer-input");
  input.setAttribute("aria-expanded", "true");
  input.setAttribute("aria-activedescendant", items.length ? "command-option-0" : "");
}

function closeMenu() {
  ui.menu.open = false;
  $("#command-menu").hidden = true;
  const input = $("#composer-input");
  input.setAttribute("aria-expanded", "false");
  input.removeAttribute("aria-activedescendant");
}

function moveMenu(step) {
  const { items } = ui.menu;
  if (!items.length) return;
  ui.menu.active = (ui.menu.active + step + items.length) % items.length;
  const options = $("#command-menu").querySelectorAll("li[role='option']");
  options.forEach((option, index) => option.setAttribute("aria-selected", index === ui.menu.active ? "true" : "false"));
  options[ui.menu.active].scrollIntoView({ block: "nearest" });
  $("#composer-input").setAttribute("aria-activedescendant", `command-option-${ui.menu.active}`);
}

function onComposerInput() {
  const text = $("#composer-input").value;
  if (!text.startsWith("/")) {
    closeMenu();
    return;
  }
  const typed = text.slice(1).trim().toLowerCase();
  const items = commandList().filter((c) => c.path.startsWith(typed) || c.path.split(" ").some((w) => w.startsWith(typed)));
  openMenu(items);
}

async function onComposerKey(event) {
  if (ui.menu.open) {
    if (event.key === "ArrowDown") { event.preventDefault(); moveMenu(1); return; }
    if (event.key === "ArrowUp") { event.preventDefault(); moveMenu(-1); return; }
    if (event.key === "Escape") { event.preventDefault(); closeMenu(); return; }
    if ((event.key === "Enter" || event.key === "Tab") && ui.menu.items.length) {
      event.preventDefault();
      chooseCommand(ui.menu.items[ui.menu.active]);
      return;
    }
  }
  if (event.key === "Enter" && !ui.menu.open) {
    event.preventDefault();
    const input = $("#composer-input");
    const content = input.value.trim();
    if (!content || content.startsWith("/")) return;
    input.value = "";
    const answer = await api("say", { persona: ui.persona, channel: ui.channel, content });
    if (!answer.ok) showError(answer.error);
    else refresh();
  }
}

// -- the command form --------------------------------------------------------------------

const TYPE_NAMES = { 3: "text", 4: "whole number", 5: "true or false", 6: "member", 7: "channel", 8: "role", 9: "member or role", 10: "number", 11: "file" };

function chooseCommand(entry) {
  closeMenu();
  $("#composer-input").value = `/${entry.path} `;
  openCommandForm(entry);
}

function openCommandForm(entry) {
  ui.command = entry;
  const form = $("#command-form");
  $("#command-form-title").textContent = `/${entry.path}`;
  $("#command-form-description").textContent = entry.description;
  $("#command-form-error").hidden = true;
  const fields = entry.options.map((option, index) => buildField(option, index));
  $("#command-fields").replaceChildren(...fields);
  if (!fields.length) {
    $("#command-fields").append(el("p", { class: "muted" }, "This command has no options."));
  }
  form.hidden = false;
  const list = $("#messages");
  list.scrollTop = list.scrollHeight;
  const first = form.querySelector("#command-fields input, #command-fields select, #command-fields textarea");
  (first || $("#command-send")).focus();
}

function closeCommandForm() {
  ui.command = null;
  $("#command-form").hidden = true;
  $("#command-fields").replaceChildren();
  const input = $("#composer-input");
  if (input.value.startsWith("/")) input.value = "";
}

function buildField(option, index) {
  const id = `option-${index}`;
  const describedBy = option.description ? `${id}-description` : null;
  const label = el("label", { for: id }, option.label || option.name,
    option.required ? el("span", { class: "required", "aria-hidden": "true" }, "*") : null);
  const common = {
    id,
    name: option.name,
    required: option.required,
    "aria-describedby": describedBy,
    dataset: { option: option.name, type: String(option.type) },
  };
  let control;
  let suggestions = null;
  if (option.choices) {
    control = el("select", common,
      el("option", { value: "" }, option.required ? "Choose…" : "(none)"),
      option.choices.map((c) => el("option", { value: String(c.value) }, c.name)));
  } else if (option.autocomplete) {
    const listId = `${id}-suggestions`;
    control = el("input", {
      ...common,
      type: "text",
      autocomplete: "off",
      role: "combobox",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": listId,
      maxlength: option.max_length,
      placeholder: "Start typing…",
    });
    suggestions = el("ul", { id: listId, class: "suggestions", role: "listbox", "aria-label": `${option.label} suggestions`, hidden: true });
    wireAutocomplete(control, suggestions, option);
  } else if (option.type === 4 || option.type === 10) {
    control = el("input", {
      ...common, type: "number", step: option.type === 4 ? "1" : "any",
      min: option.min_value, max: option.max_value,
    });
  } else if (option.type === 5) {
    control = el("select", common, el("option", { value: "" }, option.required ? "Choose…" : "(none)"),
      el("option", { value: "true" }, "True"), el("option", { value: "false" }, "False"));
  } else if ([6, 7, 8, 9].includes(option.type)) {
    const kind = { 6: 5, 7: 8, 8: 6, 9: 7 }[option.type];
    control = el("select", common, el("option", { value: "" }, option.required ? "Choose…" : "(none)"),
      optionsFor(kind, option.channel_types).map((o) => el("option", { value: o.value }, o.label)));
  } else if (option.type === 11) {
    control = el("input", { ...common, type: "file" });
  } else {
    control = el("input", { ...common, type: "text", minlength: option.min_length, maxlength: option.max_length });
  }
  const hint = option.description
    ? el("span", { id: describedBy, class: "description" },
      option.type === 3 || option.choices ? option.description : `${option.description} (${TYPE_NAMES[option.type] || "value"})`)
    : null;
  return el("div", { class: "field" }, label, control, suggestions, hint);
}

function readFile(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",")[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

async function formValues(except) {
  const values = {};
  for (const control of $("#command-fields").querySelectorAll("[data-option]")) {
    const name = control.dataset.option;
    if (name === except) continue;
    if (control.type === "file") {
      const file = control.files[0];
      if (file) values[name] = { filename: file.name, data: await readFile(file) };
      continue;
    }
    const value = control.dataset.value !== undefined && control.dataset.value !== "" ? control.dataset.value : control.value;
    if (value !== "") values[name] = value;
  }
  return values;
}

function wireAutocomplete(input, list, option) {
  let timer = null;
  let active = -1;
  let choices = [];
  let asked = 0;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (index) => {
    active = index;
    list.querySelectorAll("li[role='option']").forEach((item, i) => item.setAttribute("aria-selected", i === index ? "true" : "false"));
    if (index >= 0) input.setAttribute("aria-activedescendant", `${list.id}-${index}`);
  };
  const pick = (choice) => {
    input.value = choice.name;
    input.dataset.value = String(choice.value);
    close();
  };
  const ask = async () => {
    const number = ++asked;
    const entry = ui.command;
    if (!entry) return;
    const others = await formValues(option.name);
    const answer = await api("autocomplete", {
      persona: ui.persona, channel: ui.channel, command: entry.path,
      option: option.name, typed: input.value, options: others,
    });
    if (number !== asked || ui.command !== entry) return; // a newer question is on its way
    choices = answer.ok ? answer.choices || [] : [];
    list.replaceChildren(...(choices.length
      ? choices.map((choice, index) => el("li", {
        id: `${list.id}-${index}`,
        role: "option",
        "aria-selected": "false",
        dataset: { value: String(choice.value) },
        onmousedown: (event) => {
          event.preventDefault();
          pick(choice);
        },
      }, choice.name))
      : [el("li", { class: "none", role: "option", "aria-disabled": "true" }, answer.ok ? "No suggestions" : answer.error)]));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(ask, 200);
  };

  input.addEventListener("input", () => {
    delete input.dataset.value;
    schedule();
  });
  input.addEventListener("focus", () => {
    // Discord lists the choices as soon as the option is focused, before anything is typed.
    clearTimeout(timer);
    ask();
  });
  input.addEventListener("blur", () => setTimeout(() => {
    if (document.activeElement !== input) close();
  }, 150));
  input.addEventListener("keydown", (event) => {
    if (list.hidden || !choices.length) return;
    if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % choices.length); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + choices.length) % choices.length); }
    else if (event.key === "Enter" && active >= 0) { event.preventDefault(); pick(choices[active]); }
    else if (event.key === "Escape") { event.preventDefault(); close(); }
  });
}

async function submitCommand(event) {
  event.preventDefault();
  const entry = ui.command;
  if (!entry || ui.busy) return;
  const errorBox = $("#command-form-error");
  const missing = entry.options.filter((o) => o.required)
    .filter((o) => {
      const control = $("#command-fields").querySelector(`[data-option="${CSS.escape(o.name)}"]`);
      return !control || (control.type === "file" ? !control.files.length : !control.value);
    })
    .map((o) => o.label || o.name);
  if (missing.length) {
    errorBox.textContent = `Please fill in: ${missing.join(", ")}.`;
    errorBox.hidden = false;
    return;
  }
  ui.busy = true;
  $("#command-send").disabled = true;
  errorBox.hidden = true;
  setPending(`${ui.world.bot.name} is responding to /${entry.path}…`);
  const answer = await api("command", {
    persona: ui.persona, channel: ui.channel, command: entry.path, options: await formValues(null),
  });
  ui.busy = false;
  $("#command-send").disabled = false;
  setPending("");
  if (!answer.ok) {
    errorBox.textContent = answer.error || "Something went wrong.";
    errorBox.hidden = false;
    return;
  }
  closeCommandForm();
  showError("");
  handleAnswer(answer);
  if (!answer.modal) $("#composer-input").focus();
}

// -- modals ----------------------------------------------------------------------------

function modalInputs(components) {
  const fields = [];
  for (const component of components) {
    if (component.type === 1) {
      for (const inner of component.components || []) fields.push({ label: inner.label, description: null, input: inner });
    } else if (component.type === 18) {
      fields.push({ label: component.label, description: component.description, input: component.component });
    } else if (component.type === 10) {
      fields.push({ text: component.content });
    }
  }
  return fields;
}

function openModal(modal) {
  const dialog = $("#modal");
  dialog.dataset.interaction = modal.interaction;
  $("#modal-title").textContent = modal.title || "";
  $("#modal-error").hidden = true;
  const fields = modalInputs(modal.components).map((field, index) => {
    if (field.text !== undefined) return el("div", { class: "content", html: markdown(field.text) });
    const input = field.input || {};
    const id = `modal-field-${index}`;
    const required = input.required !== false
      && (input.type === 4 || input.type === 21 || (input.type === 3 && (input.min_values ?? 1) > 0));
    const name = field.label || input.label || input.custom_id;
    const label = el("label", { for: id }, name,
      required ? el("span", { class: "required", "aria-hidden": "true" }, " *") : null);
    let control;
    if (input.type === 4) {
      const attributes = {
        id, dataset: { customId: input.custom_id }, required: input.required !== false,
        placeholder: input.placeholder, minlength: input.min_length, maxlength: input.max_length,
      };
      control = input.style === 2 ? el("textarea", attributes) : el("input", { ...attributes, type: "text" });
      control.value = input.value || "";
    } else if (input.type === 3 && (input.max_values || 1) > 1) {
      const choices = (input.options || []).map((o) => ({
        value: o.value, label: componentLabel(o), description: o.description, selected: o.default,
      }));
      control = multiDropdown({
        label: input.placeholder || name, choices, low: input.min_values ?? 1, high: input.max_values, disabled: input.disabled,
      });
      control.dataset.customId = input.custom_id;
      control.dataset.multi = "dropdown";
      control.querySelector(".dropdown-toggle").id = id;
    } else if (input.type === 3) {
      const anyDefault = (input.options || []).some((o) => o.default);
      control = el("select", { id, dataset: { customId: input.custom_id, multi: "1" } },
        el("option", { value: "", selected: !anyDefault }, input.placeholder || "Make a selection"),
        (input.options || []).map((o) => el("option", { value: o.value, selected: o.default }, componentLabel(o))));
    } else if (input.type === 21) {
      control = el("div", { id, class: "radio-group", role: "radiogroup", dataset: { customId: input.custom_id, radio: "1" } },
        (input.options || []).map((o) => el("label", { class: "radio" },
          el("input", { type: "radio", name: id, value: o.value, checked: o.default, required: input.required !== false }),
          " ", o.label, o.description ? el("span", { class: "description muted" }, ` ${o.description}`) : null)));
    } else {
      control = el("p", { class: "muted" }, "This kind of field is not supported by the playground yet.");
    }
    const hint = field.description ? el("span", { class: "description muted" }, field.description) : null;
    return el("div", { class: "field", dataset: { required: required ? "1" : "", label: name, min: input.min_length ?? "" } }, label, hint, control);
  });
  $("#modal-fields").replaceChildren(...fields);
  dialog.showModal();
  const first = dialog.querySelector("#modal-fields input, #modal-fields textarea, #modal-fields select");
  if (first) first.focus();
}

async function submitModal(event) {
  event.preventDefault();
  const dialog = $("#modal");
  const values = {};
  const missing = [];
  const tooShort = [];
  for (const control of dialog.querySelectorAll("[data-custom-id]")) {
    let value;
    if (control.dataset.radio) {
      const picked = control.querySelector("input:checked");
      value = picked ? picked.value : "";
      if (picked) values[control.dataset.customId] = picked.value;
    } else if (control.dataset.multi === "dropdown") value = control.values();
    else if (control.dataset.multi) value = [...control.selectedOptions].map((o) => o.value).filter(Boolean);
    else value = control.value;
    if (!control.dataset.radio) values[control.dataset.customId] = value;
    const field = control.closest(".field");
    const empty = Array.isArray(value) ? !value.length : !value;
    if (field?.dataset.required && empty) missing.push({ label: field.dataset.label, control });
    else if (!Array.isArray(value) && value && field?.dataset.min && value.length < Number(field.dataset.min)) {
      tooShort.push({ label: field.dataset.label, control, min: field.dataset.min });
    }
  }
  const problem = missing.length
    ? `Please fill in: ${missing.map((m) => m.label).join(", ")}.`
    : tooShort.length ? `${tooShort[0].label} needs at least ${tooShort[0].min} characters.` : "";
  for (const control of dialog.querySelectorAll("[data-custom-id]")) control.removeAttribute("aria-invalid");
  if (problem) {
    // As in Discord, a form with a required field left empty is not sent.
    $("#modal-error").textContent = problem;
    $("#modal-error").hidden = false;
    const first = (missing[0] || tooShort[0]).control;
    for (const item of [...missing, ...tooShort]) item.control.setAttribute("aria-invalid", "true");
    (first.querySelector?.(".dropdown-toggle") || first).focus();
    return;
  }
  $("#modal-submit").disabled = true;
  const answer = await api("modal", { persona: ui.persona, interaction: dialog.dataset.interaction, values });
  $("#modal-submit").disabled = false;
  if (!answer.ok) {
    $("#modal-error").textContent = answer.error || "Something went wrong.";
    $("#modal-error").hidden = false;
    return;
  }
  dialog.close();
  handleAnswer(answer);
}

// -- clock -----------------------------------------------------------------------------

async function advance(step, button) {
  button.disabled = true;
  const answer = await api("clock", { advance: step });
  button.disabled = false;
  if (answer.clock) ui.clock = answer.clock;
  if (!answer.ok) showError(answer.error);
  else showError("");
  renderClock();
  refresh();
}

// -- live updates -------------------------------------------------------------------------

function connect(delay = 500) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/playground/events`);
  const status = $("#connection");
  socket.addEventListener("open", () => {
    status.textContent = "Live";
    status.classList.add("live");
    delay = 500;
  });
  socket.addEventListener("message", (event) => {
    const data = JSON.parse(event.data);
    if (data.clock) {
      ui.clock = data.clock;
      renderClock();
      refreshRelativeStamps();
    }
    if (data.type === "changed") refresh();
  });
  socket.addEventListener("close", () => {
    status.textContent = "Reconnecting…";
    status.classList.remove("live");
    setTimeout(() => connect(Math.min(delay * 2, 8000)), delay);
  });
}

// -- start -------------------------------------------------------------------------------

function start() {
  $("#persona").addEventListener("change", (event) => {
    ui.persona = event.target.value;
    localStorage.setItem("playground.persona", ui.persona);
    ui.dismissed.clear();
    closeCommandForm();
    showError("");
    refresh();
  });
  const input = $("#composer-input");
  input.addEventListener("input", onComposerInput);
  input.addEventListener("keydown", onComposerKey);
  input.addEventListener("blur", () => setTimeout(() => {
    if (document.activeElement !== input) closeMenu();
  }, 150));
  $("#command-form").addEventListener("submit", submitCommand);
  $("#command-cancel").addEventListener("click", () => {
    closeCommandForm();
    $("#composer-input").focus();
  });
  $("#command-form").addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.target.closest(".field [role='combobox'][aria-expanded='true']")) {
      closeCommandForm();
      $("#composer-input").focus();
    }
  });
  $("#modal-form").addEventListener("submit", submitModal);
  $("#modal-form").addEventListener("input", (event) => {
    event.target.closest("[aria-invalid]")?.removeAttribute("aria-invalid");
  });
  wireContextMenu();
  $("#modal-cancel").addEventListener("click", () => $("#modal").close());
  for (const button of document.querySelectorAll("[data-advance]")) {
    button.addEventListener("click", () => advance(button.dataset.advance, button));
  }
  document.addEventListener("click", (event) => {
    const spoiler = event.target.closest(".spoiler");
    if (spoiler) spoiler.classList.add("shown");
  });
  setInterval(() => {
    renderClock();
    refreshRelativeStamps();
  }, 15000);
  loadPersonas().then(() => {
    refresh();
    connect();
  });
}

document.addEventListener("DOMContentLoaded", start);
