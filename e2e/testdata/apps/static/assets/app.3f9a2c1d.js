// A fingerprinted asset: served with Cache-Control: public, max-age=31536000, immutable.
document.getElementById("js").textContent = "JavaScript ran.";
