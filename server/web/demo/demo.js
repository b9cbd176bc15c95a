// The demo shop's own behaviour: the help button starts co-browsing; the rest makes the page
// change so that the agent has something to follow.
const $ = (id) => document.getElementById(id);

let itemCount = 0;
$('add-item').addEventListener('click', () => {
  itemCount += 1;
  const item = document.createElement('li');
  item.textContent = `Extra item ${itemCount}`;
  $('items').append(item);
});

$('remove-item').addEventListener('click', () => {
  $('items').lastElementChild?.remove();
});

$('express').addEventListener('click', () => {
  const express = $('shipping').classList.toggle('express');
  $('shipping').textContent = express ? 'Express shipping' : 'Standard shipping';
});

const badge = $('badge').getContext('2d');
if (badge) {
  badge.fillStyle = '#2a9d8f';
  badge.fillRect(0, 0, 150, 40);
  badge.fillStyle = '#fff';
  badge.font = '15px sans-serif';
  badge.fillText('Secure checkout', 6, 26);
}

const status = $('help-status');
$('help').addEventListener('click', () => {
  if (!window.Tandem) {
    status.hidden = false;
    status.textContent = 'Co-browsing is not available right now.';
    return;
  }
  $('help').disabled = true;
  window.Tandem.start({
    onEnd: () => {
      $('help').disabled = false;
      status.textContent = 'The co-browsing session has ended.';
    },
  }).then(
    (code) => {
      status.hidden = false;
      status.textContent = `Read this code to the agent: ${code}`;
    },
    (error) => {
      $('help').disabled = false;
      status.hidden = false;
      status.textContent = `Could not start co-browsing: ${error.message}`;
    },
  );
});
