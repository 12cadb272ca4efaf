// GOV.UK Frontend's body classes, set before first paint; a file so the CSP needs no inline script.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
