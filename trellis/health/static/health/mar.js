// On a phone the MAR grid scrolls sideways: bring today's column into view (the stylesheet
// already opens the grid at its latest day; this covers a week where today is not the last).
const scroller = document.querySelector(".mar-scroll");
const today = scroller && scroller.querySelector("th.today");
if (today && scroller.scrollWidth > scroller.clientWidth) {
  const box = scroller.getBoundingClientRect();
  const cell = today.getBoundingClientRect();
  if (cell.right > box.right) {
    scroller.scrollBy({ left: cell.right - box.right });
  } else {
    const sticky = scroller.querySelector("thead th");
    const covered = sticky ? sticky.getBoundingClientRect().right : box.left;
    if (cell.left < covered) scroller.scrollBy({ left: cell.left - covered });
  }
}
