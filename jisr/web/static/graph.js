// Draws the network of /graph with the vendored Cytoscape.js; the table beside it lists the
// same nodes for keyboards and screen readers. No inline script (the CSP forbids it).
(function () {
  "use strict";
  function draw(container) {
    fetch(container.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var rtl = document.documentElement.getAttribute("dir") === "rtl";
        var cy = window.cytoscape({
          container: container,
          elements: data.elements,
          style: [
            { selector: "node", style: { "label": "data(label)", "font-size": 10, "background-color": "#1f5f8b", "text-wrap": "wrap", "text-max-width": 120 } },
            { selector: "node[schema = 'phone'], node[schema = 'email'], node[schema = 'iban']", style: { "shape": "round-rectangle", "background-color": "#b5651d" } },
            { selector: "edge", style: { "width": 1.5, "line-color": "#8a9099", "curve-style": "bezier" } },
            { selector: "edge[kind = 'same']", style: { "line-style": "dashed", "line-color": "#2e7d32", "width": 2.5 } }
          ],
          layout: { name: "cose", animate: false }
        });
        if (rtl) {
          // Mirror the drawing so that it reads from the right, as the page does.
          var box = cy.extent();
          cy.nodes().positions(function (node) {
            var p = node.position();
            return { x: box.x1 + box.x2 - p.x, y: p.y };
          });
          cy.fit();
        }
        cy.on("tap", "node", function (event) {
          var id = event.target.id();
          if (id.indexOf("value:") !== 0) { window.location.href = "/graph/entities/" + encodeURIComponent(id); }
        });
      });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var container = document.getElementById("graph-canvas");
    if (container && window.cytoscape) { draw(container); }
  });
})();
