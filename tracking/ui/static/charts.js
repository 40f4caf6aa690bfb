// grove's UI charts: metric histories fetched from /history (sampled by the
// server) and metrics logged once, drawn with the ECharts tracking/report
// embeds. Names are user input: the tooltips escape them.
(function () {
"use strict";
var t0 = performance.now();
var esc = function (s) {
	return String(s).replace(/[&<>"']/g, function (c) {
		return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"}[c];
	});
};
var num = function (v) { return typeof v === "number" ? String(Number(v.toPrecision(6))) : "n/a"; };
var charts = Array.prototype.slice.call(document.querySelectorAll("div.chart"));
var left = charts.length, all = [];
var settle = function () {
	left--;
	if (left === 0) {
		document.documentElement.setAttribute("data-charts-drawn", String(charts.length));
		document.documentElement.setAttribute("data-charts-ms", String(Math.round(performance.now() - t0)));
	}
};
var init = function (el) {
	var ch = echarts.init(el, null, {renderer: "canvas"});
	all.push(ch);
	return ch;
};
// draw sets a chart's option; the first time, the chart counts as drawn
// once ECharts has finished rendering it (not before: an empty chart
// reports finished too).
var draw = function (ch, o, first) {
	if (first) {
		var once = false;
		ch.on("finished", function () { if (!once) { once = true; settle(); } });
	}
	ch.setOption(o, first);
};
var base = function () {
	return {
		animation: false,
		grid: {left: 64, right: 28, top: 40, bottom: 72},
		toolbox: {right: 8, feature: {dataZoom: {yAxisIndex: "none"}, restore: {}, saveAsImage: {}}},
		dataZoom: [{type: "inside"}, {type: "slider", height: 20, bottom: 12}],
		yAxis: {type: "value", scale: true}
	};
};

// stepExtent is the first and last step of any series, or null.
var stepExtent = function (series) {
	var lo = Infinity, hi = -Infinity;
	series.forEach(function (s) {
		if (s.points.length) {
			lo = Math.min(lo, s.points[0][0]);
			hi = Math.max(hi, s.points[s.points.length - 1][0]);
		}
	});
	return lo <= hi ? [lo, hi] : null;
};

// A history chart: one line per run against step. The server samples each
// history as MLflow's get-history-bulk-interval does; zooming in asks it
// again for the steps in view, so the detail between the sampled steps
// appears, as in MLflow's UI.
var history = function (el) {
	var ch = init(el), note = el.parentNode.querySelector(".chart-note");
	var src = el.getAttribute("data-src"), names = [], extent = null, zoomed = null, timer = 0;
	var load = function (first, range) {
		var url = src + (range ? "&start_step=" + range[0] + "&end_step=" + range[1] : "");
		fetch(url, {credentials: "same-origin"}).then(function (r) {
			if (!r.ok) { throw new Error("history: " + r.status); }
			return r.json();
		}).then(function (d) {
			if (range !== zoomed) { return; } // a later zoom asked for other steps
			if (!range) { extent = stepExtent(d.series); }
			var seen = {};
			names = d.series.map(function (s) {
				var n = s.name;
				if (seen[n]) { n += " (" + s.run.slice(0, 8) + ")"; }
				seen[n] = true;
				return n;
			});
			var o = base();
			// The axis spans every step, so a zoom window stays where it is
			// when the points of the zoomed range replace the sample.
			o.xAxis = {type: "value", name: "step", nameLocation: "end",
				min: extent ? extent[0] : "dataMin", max: extent ? extent[1] : "dataMax"};
			// Past a dozen runs a legend is a wall of names: the tooltip names them.
			o.legend = {type: "scroll", top: 4, left: 8, right: 120, show: d.series.length > 1 && d.series.length <= 12};
			o.tooltip = {trigger: "axis", formatter: function (ps) {
				if (!ps.length) { return ""; }
				var lines = ["step " + esc(ps[0].value[0])];
				ps.slice(0, 8).forEach(function (p) {
					lines.push(p.marker + esc(p.seriesName) + ": <b>" + esc(num(p.value[1])) + "</b>");
				});
				if (ps.length > 8) { lines.push("and " + (ps.length - 8) + " more runs"); }
				return lines.join("<br>");
			}};
			// Many lines: no hover states, and the slider draws no shadow of the data.
			var many = d.series.length > 12;
			if (many) { o.dataZoom[1].showDataShadow = false; }
			if (!first) { delete o.dataZoom; delete o.toolbox; } // keep the reader's zoom
			o.series = d.series.map(function (s, i) {
				var few = s.points.length <= 60;
				return {name: names[i], type: "line", data: s.points, symbol: few ? "circle" : "none", showSymbol: few,
					symbolSize: 5, lineStyle: {width: many ? 1 : 1.5}, silent: many, emphasis: many ? {disabled: true} : {focus: "series"}};
			});
			draw(ch, o, first);
			var sampled = d.series.filter(function (s) { return s.total > s.points.length; });
			if (note) {
				var where = range ? "steps " + range[0] + "–" + range[1] + ": " : "";
				note.textContent = sampled.length ? where + sampled.map(function (s) {
					return s.total + " points logged, drawn through " + s.points.length;
				}).slice(0, 1).join("") + (sampled.length > 1 ? " (and " + (sampled.length - 1) + " more runs sampled)" : "") :
					range ? where + "every point drawn" : "";
			}
			if (d.errors && d.errors.length) { note.textContent += " " + d.errors.join("; "); }
			if (first && !d.series.length) { settle(); }
		}).catch(function (e) {
			if (note) { note.textContent = String(e.message || e); }
			if (first) { settle(); }
		});
	};
	// zoom asks for the steps in view once the reader stops moving.
	var zoom = function () {
		clearTimeout(timer);
		timer = setTimeout(function () {
			var dz = ch.getOption().dataZoom[0];
			if (!extent || !dz) { return; }
			var range = null, span = extent[1] - extent[0];
			if (dz.start > 0 || dz.end < 100) {
				range = [Math.floor(extent[0] + span * dz.start / 100), Math.ceil(extent[0] + span * dz.end / 100)];
			}
			if (String(range) === String(zoomed)) { return; }
			zoomed = range;
			load(false, range);
		}, 200);
	};
	ch.on("datazoom", zoom);
	ch.on("restore", function () { zoomed = null; });
	load(true, null);
	var live = +el.getAttribute("data-live");
	if (live > 0) { setInterval(function () { load(false, zoomed); }, live); }
};

// A chart of a metric logged once per run: one line through the runs,
// ordered by the chosen param.
var singles = null;
var single = function (el) {
	if (singles === null) {
		var s = document.getElementById("singles");
		singles = s ? JSON.parse(s.textContent) || [] : [];
	}
	var c = singles[+el.getAttribute("data-single")];
	var ch = init(el);
	if (!c) { settle(); return; }
	var o = base();
	o.xAxis = c.numeric ? {type: "value", name: c.x, scale: true} : {type: "category", name: c.x};
	o.tooltip = {trigger: "item", formatter: function (p) {
		return "<b>" + esc(p.value[2]) + "</b><br>" + esc(c.x) + ": " + esc(p.value[0]) + "<br>" + esc(c.key) + ": " + esc(num(p.value[1]));
	}};
	o.dataZoom = [];
	o.grid.bottom = 40;
	o.series = [{name: c.key, type: "line", data: c.points, symbolSize: 8, showSymbol: true}];
	draw(ch, o, true);
};

var i = 0;
var next = function () {
	if (i < charts.length) {
		var el = charts[i++];
		if (el.hasAttribute("data-src")) { history(el); } else { single(el); }
		setTimeout(next, 0);
	}
};
if (!charts.length) {
	document.documentElement.setAttribute("data-charts-drawn", "0");
}
next();
window.addEventListener("resize", function () { all.forEach(function (ch) { ch.resize(); }); });
})();
