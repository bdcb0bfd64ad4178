/* Orchard programme dashboard: staff sign-in, then programmeMetrics and redemptionRush over
   POST /graphql, drawn with the vendored uPlot. Each chart sets data-points to what it drew. */
(function () {
  "use strict";
  var T = {
    en: {
      title: "Programme dashboard", signOut: "Sign out", signIn: "Staff sign-in", email: "Email", password: "Password",
      signInButton: "Sign in", from: "From", to: "To", store: "Store", granularity: "Granularity", day: "Day",
      week: "Week", month: "Month", show: "Show", csv: "CSV", xlsx: "Excel", allStores: "All stores (your scope)",
      salesChart: "Sales and members' share", pointsChart: "Points issued, redeemed, expired",
      liabilityChart: "Liability (points held)", costChart: "Points cost rate", membersChart: "Active, new and churned members",
      rushChart: "Live rush: redemptions per minute today", aovChart: "Average order value by tier",
      itemsChart: "Top redeemed items", cohortsChart: "Repurchase by month of first purchase", cohortMonth: "Month",
      cohortMembers: "First-time buyers", cohort30: "Back within 30 days", cohort90: "Back within 90 days",
      footer: "Definitions: docs/metrics.md. Charts: uPlot (MIT), served by this app.",
      sales: "Sales (yuan)", memberSales: "Members' sales (yuan)", share: "Members' share", issued: "Issued",
      redeemed: "Redeemed", expired: "Expired", liability: "Points held", costRate: "Cost rate", active: "Active",
      newMembers: "New", churned: "Churned", redemptions: "Redemptions", salesTile: "Sales", shareTile: "Members' share",
      costTile: "Points cost rate", liabilityTile: "Liability", lift: "Repurchase lift", r30: "Repurchase 30d",
      r90: "Repurchase 90d", breakage: "Breakage", noData: "No data for this period.", signInFailed: "Sign-in failed: ",
      orders: "orders", points: "points"
    },
    zh: {
      title: "会员计划看板", signOut: "退出", signIn: "员工登录", email: "邮箱", password: "密码", signInButton: "登录",
      from: "开始", to: "结束", store: "门店", granularity: "粒度", day: "日", week: "周", month: "月", show: "查询",
      csv: "CSV", xlsx: "Excel", allStores: "全部门店（我的范围）", salesChart: "销售额与会员占比",
      pointsChart: "积分发放、兑换、过期", liabilityChart: "积分负债（会员持有）", costChart: "积分成本率",
      membersChart: "活跃、新增与流失会员", rushChart: "实时高峰：今日每分钟兑换", aovChart: "各等级客单价",
      itemsChart: "兑换最多的商品", cohortsChart: "按首购月份的复购", cohortMonth: "月份", cohortMembers: "首购会员",
      cohort30: "30天内复购", cohort90: "90天内复购", footer: "指标定义见 docs/metrics.md。图表：uPlot（MIT），由本应用提供。",
      sales: "销售额（元）", memberSales: "会员销售额（元）", share: "会员占比", issued: "发放", redeemed: "兑换",
      expired: "过期", liability: "持有积分", costRate: "成本率", active: "活跃", newMembers: "新增", churned: "流失",
      redemptions: "兑换", salesTile: "销售额", shareTile: "会员占比", costTile: "积分成本率", liabilityTile: "积分负债",
      lift: "复购提升", r30: "30天复购率", r90: "90天复购率", breakage: "过期率", noData: "该期间没有数据。",
      signInFailed: "登录失败：", orders: "单", points: "积分"
    }
  };
  var lang = localStorage.getItem("orchard.lang") || ((navigator.language || "en").toLowerCase().indexOf("zh") === 0 ? "zh" : "en");
  var token = sessionStorage.getItem("orchard.token");
  var last = null;
  var plots = {};
  function t(key) { return (T[lang] && T[lang][key]) || T.en[key] || key; }
  function $(sel) { return document.querySelector(sel); }

  function translate() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = t(el.getAttribute("data-i18n")); });
    $("#lang").textContent = lang === "zh" ? "English" : "中文";
    var all = $("#store option[value='']");
    if (all) { all.textContent = t("allStores"); }
  }

  function gql(query, variables) {
    var headers = { "content-type": "application/json" };
    if (token) { headers.authorization = "Bearer " + token; }
    return fetch("/graphql", { method: "POST", headers: headers, body: JSON.stringify({ query: query, variables: variables || {} }) })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        if (body.errors && body.errors.length) {
          var code = (body.errors[0].extensions || {}).code;
          if (code === "UNAUTHENTICATED") { signOut(); }
          throw new Error(body.errors[0].message + (code ? " (" + code + ")" : ""));
        }
        return body.data;
      });
  }

  function signOut() {
    token = null; sessionStorage.removeItem("orchard.token");
    $("#board").hidden = true; $("#signout").hidden = true; $("#signin").hidden = false;
  }

  function iso(d) { return d.toISOString().slice(0, 10); }
  function yuan(m) { return m ? Number(m.amount) : 0; }
  function pct(x) { return x === null || x === undefined ? "–" : (x * 100).toFixed(1) + "%"; }
  function num(x) { return x === null || x === undefined ? "–" : Number(x).toLocaleString(lang === "zh" ? "zh-CN" : "en"); }
  function compact(_u, ticks) {
    return ticks.map(function (v) {
      var a = Math.abs(v);
      return a >= 1e6 ? (v / 1e6).toFixed(1) + "M" : a >= 1e4 ? (v / 1e3).toFixed(0) + "k" : String(Math.round(v * 100) / 100);
    });
  }
  function secs(day) { return Date.parse(day + "T00:00:00Z") / 1000; }

  var METRICS = "query($from: Date!, $to: Date!, $store: ID, $g: MetricsGranularity!) {" +
    " programmeMetrics(from: $from, to: $to, storeId: $store, granularity: $g) {" +
    " totals { sales { amount } memberSales { amount } memberSalesShare pointsIssued pointsRedeemed pointsExpired" +
    "  pointsCostRate liabilityPoints liability { amount } newMembers activeMembers churnedMembers repurchaseRate30d" +
    "  repurchaseRate90d repurchaseLift breakage }" +
    " averageOrderValueByTier { tier { name } orders value { amount } }" +
    " redemptionsByItem(first: 10) { item { id name } count points }" +
    " cohorts { month members repurchased30d repurchased90d rate30d rate90d }" +
    " series { periodStart sales { amount } memberSales { amount } memberSalesShare pointsIssued pointsRedeemed" +
    "  pointsExpired pointsCostRate liabilityPoints newMembers activeMembers churnedMembers } } }";
  var RUSH = "query($store: ID) { redemptionRush(storeId: $store) { day total minutes { minute redemptions } } }";

  function tile(label, value) {
    return '<div class="tile"><div class="label">' + label + '</div><div class="value">' + value + "</div></div>";
  }

  function draw(id, series, xs, ys, opts) {
    var host = document.querySelector("#" + id + " .plot");
    if (plots[id]) { plots[id].destroy(); delete plots[id]; }
    host.innerHTML = "";
    var count = xs.length;
    document.getElementById(id).dataset.points = String(count);
    if (!count) { host.innerHTML = '<p class="empty">' + t("noData") + "</p>"; return; }
    var width = Math.max(260, host.clientWidth || 320);
    var colours = ["#2f7d32", "#f39c12", "#c0392b", "#2c6fbb"];
    var options = {
      width: width, height: 220,
      scales: (opts && opts.scales) || { x: { time: !(opts && opts.plainX) } },
      axes: (opts && opts.axes) || [{}, { size: 64, values: compact }],
      series: [{}].concat(series.map(function (s, i) {
        return Object.assign({ label: s.label, stroke: colours[i % colours.length], width: 2, points: { show: count < 40 } }, s.extra || {});
      }))
    };
    plots[id] = new uPlot(options, [xs].concat(ys), host);
  }

  function bars(id, rows) {
    var host = document.querySelector("#" + id + " .bars");
    document.getElementById(id).dataset.points = String(rows.length);
    if (!rows.length) { host.innerHTML = '<p class="empty">' + t("noData") + "</p>"; return; }
    var top = Math.max.apply(null, rows.map(function (r) { return r.value; })) || 1;
    host.innerHTML = rows.map(function (r) {
      var w = Math.max(2, Math.round(100 * r.value / top));
      return '<div class="bar"><span>' + escape(r.label) + '</span><div class="fill" style="width:' + w + '%"></div><span>' + r.text + "</span></div>";
    }).join("");
  }
  function escape(s) { var d = document.createElement("div"); d.textContent = s; return d.innerHTML; }

  function render(m) {
    var s = m.series, x = s.map(function (p) { return secs(p.periodStart); }), tt = m.totals;
    $("#tiles").innerHTML = [
      tile(t("salesTile"), "¥" + num(yuan(tt.sales))), tile(t("shareTile"), pct(tt.memberSalesShare)),
      tile(t("issued"), num(tt.pointsIssued)), tile(t("redeemed"), num(tt.pointsRedeemed)), tile(t("expired"), num(tt.pointsExpired)),
      tile(t("costTile"), pct(tt.pointsCostRate)), tile(t("liabilityTile"), num(tt.liabilityPoints) + " · ¥" + num(yuan(tt.liability))),
      tile(t("active"), num(tt.activeMembers)), tile(t("newMembers"), num(tt.newMembers)), tile(t("churned"), num(tt.churnedMembers)),
      tile(t("r30"), pct(tt.repurchaseRate30d)), tile(t("r90"), pct(tt.repurchaseRate90d)),
      tile(t("lift"), tt.repurchaseLift === null ? "–" : tt.repurchaseLift.toFixed(2) + "×"), tile(t("breakage"), pct(tt.breakage))
    ].join("");
    draw("chart-sales", [{ label: t("sales") }, { label: t("memberSales") }, { label: t("share"), extra: { scale: "share" } }], x, [
      s.map(function (p) { return yuan(p.sales); }), s.map(function (p) { return yuan(p.memberSales); }),
      s.map(function (p) { return p.memberSalesShare === null ? null : p.memberSalesShare * 100; })
    ], { scales: { x: { time: true }, share: { range: [0, 100] } },
      axes: [{}, { size: 64, values: compact }, { scale: "share", side: 1, size: 40, grid: { show: false } }] });
    draw("chart-points", [{ label: t("issued") }, { label: t("redeemed") }, { label: t("expired") }], x, [
      s.map(function (p) { return p.pointsIssued; }), s.map(function (p) { return p.pointsRedeemed; }), s.map(function (p) { return p.pointsExpired; })
    ]);
    draw("chart-liability", [{ label: t("liability") }], x, [s.map(function (p) { return p.liabilityPoints; })]);
    draw("chart-cost", [{ label: t("costRate") + " %" }], x, [s.map(function (p) { return p.pointsCostRate === null ? null : p.pointsCostRate * 100; })]);
    draw("chart-members", [{ label: t("active") }, { label: t("newMembers") }, { label: t("churned") }], x, [
      s.map(function (p) { return p.activeMembers; }), s.map(function (p) { return p.newMembers; }), s.map(function (p) { return p.churnedMembers; })
    ]);
    bars("chart-aov", m.averageOrderValueByTier.map(function (v) {
      return { label: v.tier.name, value: yuan(v.value), text: "¥" + v.value.amount + " · " + v.orders + " " + t("orders") };
    }));
    bars("chart-items", m.redemptionsByItem.map(function (r) {
      return { label: r.item.name, value: r.count, text: r.count + " · " + num(r.points) + " " + t("points") };
    }));
    var body = document.querySelector("#chart-cohorts tbody");
    body.innerHTML = m.cohorts.map(function (c) {
      return "<tr><td>" + c.month.slice(0, 7) + "</td><td>" + num(c.members) + "</td><td>" + num(c.repurchased30d) + " (" + pct(c.rate30d) +
        ")</td><td>" + num(c.repurchased90d) + " (" + pct(c.rate90d) + ")</td></tr>";
    }).join("");
    document.getElementById("chart-cohorts").dataset.points = String(m.cohorts.length);
  }

  function renderRush(r) {
    var xs = r.minutes.map(function (p) { return Date.parse(p.minute) / 1000; });
    draw("chart-rush", [{ label: t("redemptions") }], xs, [r.minutes.map(function (p) { return p.redemptions; })]);
  }

  function variables() {
    return { from: $("#from").value, to: $("#to").value, store: $("#store").value || null, g: $("#granularity").value };
  }

  function load() {
    $("#status").textContent = "";
    var v = variables();
    document.body.dataset.state = "loading";
    return Promise.all([gql(METRICS, v), gql(RUSH, { store: v.store })]).then(function (res) {
      last = res; render(res[0].programmeMetrics); renderRush(res[1].redemptionRush);
      document.body.dataset.state = "ready";
    }).catch(function (e) { $("#status").textContent = e.message; document.body.dataset.state = "error"; });
  }

  function download(format) {
    var v = variables();
    var q = "from=" + v.from + "&to=" + v.to + "&granularity=" + v.g + "&format=" + format + (v.store ? "&storeId=" + encodeURIComponent(v.store) : "");
    fetch("/dashboard/export?" + q, { headers: { authorization: "Bearer " + token } }).then(function (r) {
      if (!r.ok) { throw new Error("export failed: " + r.status); }
      return r.blob();
    }).then(function (blob) {
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob); a.download = "programme-metrics-" + v.from + "-" + v.to + "." + format;
      document.body.appendChild(a); a.click(); a.remove();
    }).catch(function (e) { $("#status").textContent = e.message; });
  }

  function start() {
    $("#signin").hidden = true; $("#board").hidden = false; $("#signout").hidden = false;
    gql("{ stores(first: 100) { edges { node { id code name } } } }").then(function (d) {
      var sel = $("#store");
      sel.innerHTML = '<option value="">' + t("allStores") + "</option>" + d.stores.edges.map(function (e) {
        return '<option value="' + e.node.id + '">' + escape(e.node.code + " · " + e.node.name) + "</option>";
      }).join("");
    }).catch(function () { /* a manager without the store list still gets their own store */ }).then(load);
  }

  $("#signin").addEventListener("submit", function (ev) {
    ev.preventDefault();
    gql("mutation($i: StaffLoginInput!) { staffLogin(input: $i) { token errors { code message } } }",
      { i: { email: $("#email").value, password: $("#password").value } }).then(function (d) {
      var r = d.staffLogin;
      if (r.errors.length) { throw new Error(r.errors[0].message); }
      token = r.token; sessionStorage.setItem("orchard.token", token); start();
    }).catch(function (e) { $("#signin-error").textContent = t("signInFailed") + e.message; });
  });
  $("#controls").addEventListener("submit", function (ev) { ev.preventDefault(); load(); });
  $("#signout").addEventListener("click", signOut);
  $("#csv").addEventListener("click", function () { download("csv"); });
  $("#xlsx").addEventListener("click", function () { download("xlsx"); });
  $("#lang").addEventListener("click", function () {
    lang = lang === "zh" ? "en" : "zh"; localStorage.setItem("orchard.lang", lang); translate();
    if (last) { render(last[0].programmeMetrics); renderRush(last[1].redemptionRush); }
  });
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { if (last) { render(last[0].programmeMetrics); renderRush(last[1].redemptionRush); } }, 200);
  });
  setInterval(function () {
    if (token && !$("#board").hidden) { gql(RUSH, { store: $("#store").value || null }).then(function (d) { renderRush(d.redemptionRush); }).catch(function () {}); }
  }, 30000);

  var today = new Date(), from = new Date(today.getTime() - 89 * 86400000);
  $("#to").value = iso(today); $("#from").value = iso(from);
  translate();
  if (token) { start(); } else { $("#signin").hidden = false; }
})();
