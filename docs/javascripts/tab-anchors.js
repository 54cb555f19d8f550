// Open a page at a tab's anchor (such as #tensorflow) with every linked tab set on
// that tab. Material for MkDocs checks the one tab that the anchor names, but it
// links the other sets only when a reader switches tabs, so this switches them.
function selectLinkedTabsFromHash() {
  const id = decodeURIComponent(window.location.hash.slice(1));
  const input = id ? document.getElementById(id) : null;
  const tabSet = input instanceof HTMLInputElement ? input.closest(".tabbed-set") : null;
  if (!tabSet) {
    return;
  }
  const label = tabSet.querySelector(`:scope > .tabbed-labels > label[for="${CSS.escape(id)}"]`);
  const name = label ? label.innerText.trim() : "";
  for (const other of document.querySelectorAll(".tabbed-set")) {
    for (const otherLabel of other.querySelectorAll(":scope > .tabbed-labels > label")) {
      const otherInput = document.getElementById(otherLabel.htmlFor);
      if (otherLabel.innerText.trim() === name && otherInput && !otherInput.checked) {
        otherInput.click();
      }
    }
  }
  tabSet.scrollIntoView();
}

window.addEventListener("load", selectLinkedTabsFromHash);
window.addEventListener("hashchange", selectLinkedTabsFromHash);
