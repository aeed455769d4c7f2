// The dashboard's only script: keeps the page live from the daemon's server-sent events (no
// polling), draws the charts with Chart.js, and sends the owner's Approve / Cancel / Retry.
// Served as is (no build step); plain browser JavaScript.
(function () {
  'use strict';
  var body = document.body;
  var live = body.getAttribute('data-live') || '';
  var timeZone = body.getAttribute('data-tz') || undefined;
  var state = document.getElementById('live-state');
  var watching = live.indexOf('task:') === 0 ? live.slice(5) : '';
  var charts = [];

  function say(text) {
    if (state) state.textContent = text + ' · times in ' + (timeZone || 'local time');
  }

  // ---- progress in place ------------------------------------------------------------------
  // The newest progress of each build, applied again after a refresh: an event that arrived while
  // the page was being fetched again would otherwise be lost until the build moves on.
  var latest = {};
  function onProgress(p) {
    latest[p.id] = p;
    showProgress(p);
  }
  function showProgress(p) {
    var cards = document.querySelectorAll('.running[data-task="' + p.id + '"]');
    for (var i = 0; i < cards.length; i++) {
      var bar = cards[i].querySelector('[data-bar] .bar');
      var fill = bar && bar.querySelector('i');
      if (bar && fill) {
        if (p.percent === null) {
          bar.className = 'bar unknown';
          fill.style.width = '';
        } else {
          bar.className = 'bar';
          fill.style.width = Math.max(0, Math.min(100, p.percent)) + '%';
        }
      }
      var step = cards[i].querySelector('[data-step]');
      if (step) step.textContent = p.message;
      var pct = cards[i].querySelector('[data-percent]');
      if (pct) pct.textContent = p.percent === null ? '' : p.percent + '%';
    }
    var plan = document.querySelector('[data-plan="' + p.id + '"]');
    if (plan && p.plan && p.plan.length) {
      var list = document.createElement('ul');
      list.className = 'plan';
      list.setAttribute('data-plan', p.id);
      p.plan.forEach(function (step) {
        var li = document.createElement('li');
        li.className = step.status;
        var mark = document.createElement('span');
        mark.className = 'mark';
        mark.textContent = { done: '✓', in_progress: '▶', pending: '○', failed: '✗' }[step.status] || '○';
        li.appendChild(mark);
        li.appendChild(document.createTextNode(' ' + step.text));
        list.appendChild(li);
      });
      plan.replaceWith(list);
    }
  }

  // ---- the page again, when a task changes -------------------------------------------------
  var refreshing = null;
  var again = false;
  function refresh() {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = fetch(location.pathname + location.search, { headers: { accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (r) {
        return r.ok ? r.text() : null;
      })
      .then(function (text) {
        if (text === null) return;
        var doc = new DOMParser().parseFromString(text, 'text/html');
        var fresh = doc.querySelector('main');
        var main = document.querySelector('main');
        if (!fresh || !main) return;
        var log = document.getElementById('log');
        var keptLog = log && watching ? log.textContent : null;
        main.innerHTML = fresh.innerHTML;
        Object.keys(latest).forEach(function (id) {
          showProgress(latest[id]);
        });
        var newLog = document.getElementById('log');
        // The live tail already holds more than the page was rendered with.
        if (newLog && keptLog && keptLog.length > newLog.textContent.length && body.querySelector('.running')) newLog.textContent = keptLog;
        drawCharts();
        body.setAttribute('data-refreshed', String(Date.now()));
      })
      .catch(function () {})
      .then(function () {
        refreshing = null;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  function onLog(l) {
    if (l.id !== watching) return;
    var pre = document.getElementById('log');
    if (!pre) return;
    var text = (pre.textContent.trim() ? pre.textContent + '\n' : '') + l.lines.join('\n');
    var lines = text.split('\n');
    pre.textContent = lines.slice(-400).join('\n');
    pre.scrollTop = pre.scrollHeight;
  }

  // ---- events ------------------------------------------------------------------------------
  function connect() {
    if (!window.EventSource) return;
    var es = new EventSource('/events' + (watching ? '?task=' + encodeURIComponent(watching) : ''));
    var opened = false;
    es.addEventListener('open', function () {
      say('live');
      body.setAttribute('data-live-connected', '1');
      // Connected again after a drop: what changed meanwhile was never sent, so the page is
      // fetched again (a build's progress would otherwise stay as it was until the build moves on).
      if (opened) refresh();
      opened = true;
    });
    es.addEventListener('error', function () {
      say('reconnecting…');
    });
    es.addEventListener('progress', function (e) {
      onProgress(JSON.parse(e.data));
    });
    es.addEventListener('task', function (e) {
      var t = JSON.parse(e.data);
      if (!watching || t.id === watching || live === 'board') refresh();
    });
    es.addEventListener('log', function (e) {
      onLog(JSON.parse(e.data));
    });
  }

  // ---- actions -----------------------------------------------------------------------------
  document.addEventListener('click', function (e) {
    var button = e.target && e.target.closest ? e.target.closest('button[data-action]') : null;
    if (!button) return;
    var verb = button.getAttribute('data-action');
    var id = button.getAttribute('data-task');
    button.disabled = true;
    fetch('/tasks/' + encodeURIComponent(id) + '/' + verb, { method: 'POST', headers: { 'x-nightshift-action': '1' }, credentials: 'same-origin' })
      .then(function (r) {
        return r.text().then(function (text) {
          button.disabled = false;
          button.title = text;
          if (!r.ok) alert(text);
          refresh();
        });
      })
      .catch(function (err) {
        button.disabled = false;
        alert(String(err));
      });
  });

  // ---- charts ------------------------------------------------------------------------------
  var COLOURS = { succeeded: '#1f9d55', failed: '#d64545', timed_out: '#b83280', cancelled: '#9a9aa2', interrupted: '#d98b00', usage_limited: '#6b7280', running: '#3b82f6' };
  var clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: timeZone });
  var day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: timeZone });
  function minutes(ms) {
    var m = Math.round(ms / 60000);
    return m < 60 ? m + ' min' : Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
  }
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function drawCharts() {
    while (charts.length) charts.pop().destroy();
    if (!window.Chart) return;
    var night = data('night-data');
    var canvas = document.getElementById('night-chart');
    if (night && canvas) {
      var boxes = {};
      night.quiet.forEach(function (q, i) {
        boxes['quiet' + i] = { type: 'box', xMin: q.start, xMax: q.end, backgroundColor: 'rgba(99,102,241,0.10)', borderWidth: 0, drawTime: 'beforeDatasetsDraw' };
      });
      charts.push(
        new window.Chart(canvas, {
          type: 'bar',
          data: {
            labels: night.rows,
            datasets: [
              {
                label: 'attempts',
                data: night.bars.map(function (b) {
                  return { x: [b.start, Math.max(b.end, b.start + 60000)], y: b.taskId, bar: b };
                }),
                backgroundColor: night.bars.map(function (b) {
                  return COLOURS[b.outcome] || '#888';
                }),
                borderSkipped: false,
                borderRadius: 3,
                barPercentage: 0.7,
              },
            ],
          },
          options: {
            indexAxis: 'y',
            maintainAspectRatio: false,
            animation: false,
            parsing: { xAxisKey: 'x', yAxisKey: 'y' },
            scales: {
              x: {
                type: 'linear',
                min: night.from,
                max: night.to,
                // Ticks on the hour (every second hour on a narrow screen), not at odd minutes.
                afterBuildTicks: function (scale) {
                  var step = canvas.clientWidth < 700 ? 2 * 3600000 : 3600000;
                  var ticks = [];
                  for (var t = Math.ceil(night.from / 3600000) * 3600000; t <= night.to; t += step) ticks.push({ value: t });
                  scale.ticks = ticks;
                },
                ticks: { callback: function (v) { return clock.format(new Date(v)); } },
              },
              y: {
                type: 'category',
                labels: night.rows,
                ticks: {
                  callback: function (v, i) {
                    var id = night.rows[i];
                    var bar = night.bars.find(function (b) { return b.taskId === id; });
                    var title = bar ? bar.title : '';
                    return id + ' ' + (title.length > 34 ? title.slice(0, 33) + '…' : title);
                  },
                },
              },
            },
            plugins: {
              legend: { display: false },
              annotation: { annotations: boxes },
              tooltip: {
                callbacks: {
                  label: function (ctx) {
                    var b = ctx.raw.bar;
                    return b.taskId + ' attempt ' + b.attempt + ': ' + b.outcome.replace('_', ' ') + ', ' + clock.format(new Date(b.start)) + '–' + clock.format(new Date(b.end)) + ' (' + minutes(b.end - b.start) + ')';
                  },
                },
              },
            },
          },
        }),
      );
    }
    var history = data('history-data');
    if (history) {
      var labels = history.points.map(function (p) {
        return day.format(new Date(p.at)) + ' ' + p.id;
      });
      var line = function (id, label, values, colour, format) {
        var el = document.getElementById(id);
        if (!el) return;
        charts.push(
          new window.Chart(el, {
            type: 'line',
            data: { labels: labels, datasets: [{ label: label, data: values, borderColor: colour, backgroundColor: colour, tension: 0.2, pointRadius: 2, spanGaps: true }] },
            options: { maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { callback: format } } } },
          }),
        );
      };
      line('duration-chart', 'build time (minutes)', history.points.map(function (p) { return Math.round(p.durationMs / 6000) / 10; }), '#4b5bdc', function (v) { return v + ' min'; });
      line('cost-chart', 'cost (USD)', history.points.map(function (p) { return p.costUsd; }), '#d98b00', function (v) { return '$' + v; });
      var builders = document.getElementById('builder-chart');
      if (builders) {
        charts.push(
          new window.Chart(builders, {
            type: 'bar',
            data: {
              labels: history.builders.map(function (b) { return b.builder + ' (' + b.attempts + ')'; }),
              datasets: [{ label: 'succeeded (%)', data: history.builders.map(function (b) { return Math.round((100 * b.succeeded) / Math.max(1, b.attempts)); }), backgroundColor: '#1f9d55' }],
            },
            options: { maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } }, scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + '%'; } } } } },
          }),
        );
      }
    }
  }

  drawCharts();
  connect();
})();
