// The demo shop's own behaviour: the help button starts co-browsing (and says so on every page
// of a session that continues); the rest makes the checkout page change so that the agent has
// something to follow. Every page shares this file: elements a page lacks are skipped.
const $ = (id) => document.getElementById(id);
const on = (id, event, handler) => $(id)?.addEventListener(event, handler);

let itemCount = 0;
on('add-item', 'click', () => {
  itemCount += 1;
  const item = document.createElement('li');
  item.textContent = `Extra item ${itemCount}`;
  $('items').append(item);
});

on('remove-item', 'click', () => {
  $('items').lastElementChild?.remove();
});

on('express', 'click', () => {
  const express = $('shipping').classList.toggle('express');
  $('shipping').textContent = express ? 'Express shipping' : 'Standard shipping';
});

const badge = $('badge')?.getContext('2d');
if (badge) {
  badge.fillStyle = '#2a9d8f';
  badge.fillRect(0, 0, 150, 40);
  badge.fillStyle = '#fff';
  badge.font = '15px sans-serif';
  badge.fillText('Secure checkout', 6, 26);
}

const status = $('help-status');
const showCode = (code) => {
  status.hidden = false;
  status.textContent = `Read this code to the agent: ${code}`;
};
const ended = () => {
  $('help').disabled = false;
  status.textContent = 'The co-browsing session has ended.';
};

on('help', 'click', () => {
  if (!window.Tandem) {
    status.hidden = false;
    status.textContent = 'Co-browsing is not available right now.';
    return;
  }
  $('help').disabled = true;
  window.Tandem.start().then(showCode, (error) => {
    $('help').disabled = false;
    status.hidden = false;
    status.textContent = `Could not start co-browsing: ${error.message}`;
  });
});

if (window.Tandem) {
  window.Tandem.onEnd(ended);
  // A session that followed the customer here: the same code, without pressing anything.
  if (window.Tandem.state !== 'idle') {
    $('help').disabled = true;
    window.Tandem.start().then(showCode, () => undefined);
  }
}
