// The learner's name in the teacher's room (/room): an anonymous "adjective animal" picked
// once per browser and kept in localStorage, shown in the page header where it can be
// changed. Every job this browser starts carries it (api.js createJob).

const KEY = "gradlive.learner";
const ADJECTIVES = ["Bold", "Brave", "Bright", "Calm", "Clever", "Curious", "Eager", "Gentle", "Happy", "Keen", "Lively", "Lucky", "Merry", "Quick", "Quiet", "Swift", "Wise", "Witty"];
const ANIMALS = ["Badger", "Bear", "Beaver", "Crane", "Dolphin", "Falcon", "Fox", "Heron", "Koala", "Lynx", "Otter", "Owl", "Panda", "Puffin", "Robin", "Seal", "Tiger", "Wolf"];

let memory = null; // the name, where the browser refuses storage

function kept() {
  try {
    return window.localStorage.getItem(KEY) || memory;
  } catch {
    return memory;
  }
}

function keep(name) {
  memory = name;
  try {
    window.localStorage.setItem(KEY, name);
  } catch {
    // refused storage: the name lasts as long as the page
  }
}

function pick() {
  const any = (words) => words[Math.floor(Math.random() * words.length)];
  return `${any(ADJECTIVES)} ${any(ANIMALS)}`;
}

/** This browser's name in the room: the kept one, or one picked now and kept. */
export function learnerName() {
  const name = kept()?.trim();
  if (name) return name;
  const picked = pick();
  keep(picked);
  return picked;
}

/** Show the name in `input` and keep what the learner types there (left blank: unchanged). */
export function bindLearnerField(input) {
  input.value = learnerName();
  input.addEventListener("change", () => {
    const name = input.value.trim();
    if (name) keep(name);
    input.value = learnerName();
  });
}
