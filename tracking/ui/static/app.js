// grove's UI: the little the server-rendered pages need from script.
(function () {
"use strict";

// MLflow's links (#/experiments/1/runs/<id>, #/compare-runs?runs=[...])
// open the same page here.
var m = /^#\/experiments\/([^\/?]+)(?:\/runs\/([0-9a-fA-F]+))?/.exec(location.hash);
if (m) {
	location.replace(m[2] ? "/runs/" + encodeURIComponent(m[2]) : "/experiments/" + encodeURIComponent(m[1]));
	return;
}
var c = /^#\/compare-runs\?(.*)$/.exec(location.hash);
if (c) {
	var ids = [];
	try { ids = JSON.parse(new URLSearchParams(c[1]).get("runs") || "[]"); } catch (e) { ids = []; }
	if (Array.isArray(ids) && ids.length) {
		location.replace("/compare?" + ids.map(function (id) { return "runs=" + encodeURIComponent(String(id)); }).join("&"));
		return;
	}
}

var $ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };

document.addEventListener("DOMContentLoaded", function () {
	// The experiments list: search by name as one types.
	var f = document.getElementById("exp-filter");
	if (f) {
		f.addEventListener("input", function () {
			var q = f.value.toLowerCase();
			$("ul.exps li").forEach(function (li) {
				li.hidden = q !== "" && li.getAttribute("data-name").toLowerCase().indexOf(q) < 0;
			});
		});
	}

	// The runs table: columns hidden and shown, remembered per experiment.
	var table = document.getElementById("runs");
	if (table) {
		var key = "grove.hidden." + table.getAttribute("data-exp");
		var hidden = {};
		try { hidden = JSON.parse(localStorage.getItem(key) || "{}") || {}; } catch (e) { hidden = {}; }
		var apply = function () {
			$("[data-col]", table).forEach(function (c) {
				c.hidden = !!hidden[c.getAttribute("data-col")];
			});
			["param", "metric"].forEach(function (kind) {
				var g = table.querySelector('th[data-group="' + kind + '"]');
				if (g) {
					var n = $("thead th." + kind, table).filter(function (c) { return !c.hidden; }).length;
					g.hidden = n === 0;
					g.colSpan = Math.max(n, 1);
				}
			});
		};
		$("input.col-toggle").forEach(function (b) {
			b.checked = !hidden[b.value];
			b.addEventListener("change", function () {
				if (b.checked) { delete hidden[b.value]; } else { hidden[b.value] = true; }
				try { localStorage.setItem(key, JSON.stringify(hidden)); } catch (e) { /* private mode: not remembered */ }
				apply();
			});
		});
		apply();
	}

	// Tick boxes pick runs to compare.
	var compare = document.getElementById("compare");
	var picks = $("input.run-pick");
	var count = function () {
		var n = picks.filter(function (b) { return b.checked; }).length;
		if (compare) {
			compare.disabled = n < 1;
			compare.textContent = n ? "Compare " + n + " run" + (n === 1 ? "" : "s") : "Compare";
		}
	};
	picks.forEach(function (b) { b.addEventListener("change", count); });
	var all = document.getElementById("pick-all");
	if (all) {
		all.addEventListener("change", function () {
			picks.forEach(function (b) { b.checked = all.checked; });
			count();
		});
	}
	count();

	// Compare: show only the parameters that differ.
	var diff = document.getElementById("only-diff");
	if (diff) {
		diff.addEventListener("change", function () {
			$("#compare-params tbody tr").forEach(function (tr) {
				tr.hidden = diff.checked && !tr.classList.contains("differ");
			});
		});
	}
});
})();
