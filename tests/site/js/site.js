/* Crumb & Co.: a tiny enhancement, nothing needs it. */
function showMap() {
    window.location.href = "/events/market.html";
}
document.addEventListener("DOMContentLoaded", function () {
    var y = document.querySelector("footer p:last-child");
    if (y) y.title = "Baked fresh daily";
});
