/**
 * Drag and drop of board cards with pointer events, so mouse, pen and touch share one
 * path. A mouse drags after a few pixels of movement. A finger drags at once from the
 * card's handle, or from anywhere on the card after a long press, so that a plain swipe
 * still scrolls the board. Escape cancels a drag. Every move has a non-drag way too: the
 * card's "Move to…" menu.
 *
 * Drop targets are marked in the DOM: `data-drop-lane="<lane>"` on a lane's list (the
 * place among its cards is where the pointer is) and `data-drop-lane` with
 * `data-drop-end` on a lane's tab (the end of that lane).
 */
import { writable } from 'svelte/store';
import { LANES, type Lane } from './board';

export interface DropTarget {
  lane: Lane;
  /** The place among the lane's other cards (0 = top); null = the end. */
  index: number | null;
}

export interface DragState {
  id: number;
  target: DropTarget | null;
}

/** The card being dragged and where it would land, for lanes to draw a marker. */
export const dragState = writable<DragState | null>(null);

export interface CardDragParams {
  id: number;
  enabled: boolean;
  ondrop: (target: DropTarget) => void;
}

const LONG_PRESS_MS = 400;
const TOUCH_SLOP_PX = 10;
const MOUSE_SLOP_PX = 6;
const EDGE_PX = 48;
const SCROLL_STEP_PX = 14;

/** How many of the cards' vertical midpoints lie above `y`: the index to insert at. */
export function indexAt(midpoints: readonly number[], y: number): number {
  let index = 0;
  for (const mid of midpoints) if (mid < y) index += 1;
  return index;
}

/** The drop target under a point, ignoring the dragged card itself. */
export function dropTargetAt(x: number, y: number, draggedId: number, root: Document = document): DropTarget | null {
  const hit = root.elementFromPoint(x, y);
  const zone = hit?.closest<HTMLElement>('[data-drop-lane]');
  const lane = zone?.dataset.dropLane as Lane | undefined;
  if (!zone || !lane || !LANES.includes(lane)) return null;
  if (zone.hasAttribute('data-drop-end')) return { lane, index: null };
  const midpoints = [...zone.querySelectorAll<HTMLElement>('[data-card-id]')]
    .filter((card) => card.dataset.cardId !== String(draggedId))
    .map((card) => {
      const rect = card.getBoundingClientRect();
      return rect.top + rect.height / 2;
    });
  return { lane, index: indexAt(midpoints, y) };
}

interface Press {
  pointerId: number;
  type: string;
  x: number;
  y: number;
  timer: ReturnType<typeof setTimeout> | null;
}

interface Drag {
  ghost: HTMLElement;
  x: number;
  y: number;
  target: DropTarget | null;
  frame: number;
}

/** Svelte action: `<li use:cardDrag={{ id, enabled, ondrop }}>`. */
export function cardDrag(node: HTMLElement, initial: CardDragParams) {
  let params = initial;
  let press: Press | null = null;
  let drag: Drag | null = null;

  const preventTouchScroll = (event: TouchEvent): void => {
    if (drag && event.cancelable) event.preventDefault();
  };
  const preventContextMenu = (event: Event): void => {
    if (press || drag) event.preventDefault();
  };

  function onPointerDown(event: PointerEvent): void {
    if (!params.enabled || press || drag) return;
    if (event.pointerType === 'mouse' && event.button !== 0) return;
    const target = event.target instanceof Element ? event.target : null;
    if (!target || target.closest('[data-no-drag]')) return;
    const onHandle = target.closest('[data-drag-handle]') !== null;
    press = { pointerId: event.pointerId, type: event.pointerType, x: event.clientX, y: event.clientY, timer: null };
    window.addEventListener('pointermove', onPointerMove, { passive: false });
    window.addEventListener('pointerup', onPointerUp);
    window.addEventListener('pointercancel', onPointerCancel);
    window.addEventListener('keydown', onKeyDown, true);
    window.addEventListener('touchmove', preventTouchScroll, { passive: false });
    if (event.pointerType !== 'mouse') {
      if (onHandle) {
        event.preventDefault();
        begin(event.clientX, event.clientY);
      } else {
        press.timer = setTimeout(() => {
          if (press) begin(press.x, press.y);
        }, LONG_PRESS_MS);
      }
    }
  }

  function onPointerMove(event: PointerEvent): void {
    if (!press || event.pointerId !== press.pointerId) return;
    if (!drag) {
      const distance = Math.hypot(event.clientX - press.x, event.clientY - press.y);
      if (press.type !== 'mouse') {
        // A finger that moves before the long press is scrolling.
        if (distance > TOUCH_SLOP_PX) finish(false);
        return;
      }
      if (distance < MOUSE_SLOP_PX) return;
      begin(press.x, press.y);
    }
    event.preventDefault();
    moveTo(event.clientX, event.clientY);
  }

  function onPointerUp(event: PointerEvent): void {
    if (!press || event.pointerId !== press.pointerId) return;
    if (drag) moveTo(event.clientX, event.clientY);
    finish(true);
  }

  function onPointerCancel(event: PointerEvent): void {
    if (press && event.pointerId === press.pointerId) finish(false);
  }

  function onKeyDown(event: KeyboardEvent): void {
    if (event.key === 'Escape' && drag) {
      event.preventDefault();
      event.stopPropagation();
      finish(false);
    }
  }

  function begin(x: number, y: number): void {
    if (!press || drag) return;
    if (press.timer !== null) clearTimeout(press.timer);
    press.timer = null;
    const rect = node.getBoundingClientRect();
    const ghost = node.cloneNode(true) as HTMLElement;
    for (const element of [ghost, ...ghost.querySelectorAll('[id]')]) element.removeAttribute('id');
    ghost.setAttribute('aria-hidden', 'true');
    ghost.setAttribute('inert', '');
    ghost.classList.add('drag-ghost');
    Object.assign(ghost.style, {
      position: 'fixed',
      left: `${rect.left}px`,
      top: `${rect.top}px`,
      width: `${rect.width}px`,
      margin: '0',
      pointerEvents: 'none',
      zIndex: '1000',
      listStyle: 'none',
    });
    document.body.appendChild(ghost);
    node.classList.add('dragging');
    press.x = x;
    press.y = y;
    drag = { ghost, x, y, target: null, frame: requestAnimationFrame(autoScroll) };
    dragState.set({ id: params.id, target: null });
    navigator.vibrate?.(15);
  }

  function moveTo(x: number, y: number): void {
    if (!drag || !press) return;
    drag.x = x;
    drag.y = y;
    drag.ghost.style.transform = `translate(${x - press.x}px, ${y - press.y}px) rotate(1.5deg)`;
    retarget();
  }

  function retarget(): void {
    if (!drag) return;
    const target = dropTargetAt(drag.x, drag.y, params.id);
    const before = drag.target;
    if (before?.lane !== target?.lane || before?.index !== target?.index) {
      drag.target = target;
      dragState.set({ id: params.id, target });
    }
  }

  /** Near an edge, scroll the lanes sideways and the page up or down. */
  function autoScroll(): void {
    if (!drag) return;
    const scroller = node.closest<HTMLElement>('[data-lanes-scroller]');
    let moved = false;
    if (scroller) {
      const rect = scroller.getBoundingClientRect();
      if (drag.x < rect.left + EDGE_PX && scroller.scrollLeft > 0) {
        scroller.scrollLeft -= SCROLL_STEP_PX;
        moved = true;
      } else if (drag.x > rect.right - EDGE_PX && scroller.scrollLeft + scroller.clientWidth < scroller.scrollWidth) {
        scroller.scrollLeft += SCROLL_STEP_PX;
        moved = true;
      }
    }
    if (drag.y < EDGE_PX) {
      window.scrollBy(0, -SCROLL_STEP_PX);
      moved = true;
    } else if (drag.y > window.innerHeight - EDGE_PX) {
      window.scrollBy(0, SCROLL_STEP_PX);
      moved = true;
    }
    if (moved) retarget();
    drag.frame = requestAnimationFrame(autoScroll);
  }

  function finish(drop: boolean): void {
    window.removeEventListener('pointermove', onPointerMove);
    window.removeEventListener('pointerup', onPointerUp);
    window.removeEventListener('pointercancel', onPointerCancel);
    window.removeEventListener('keydown', onKeyDown, true);
    window.removeEventListener('touchmove', preventTouchScroll);
    if (press?.timer) clearTimeout(press.timer);
    press = null;
    const ended = drag;
    drag = null;
    if (!ended) return;
    cancelAnimationFrame(ended.frame);
    ended.ghost.remove();
    node.classList.remove('dragging');
    dragState.set(null);
    // The click that ends a drag is not a click on the card.
    const swallow = (event: Event): void => {
      event.preventDefault();
      event.stopPropagation();
    };
    window.addEventListener('click', swallow, true);
    setTimeout(() => window.removeEventListener('click', swallow, true), 0);
    if (drop && ended.target) params.ondrop(ended.target);
  }

  node.addEventListener('pointerdown', onPointerDown);
  node.addEventListener('contextmenu', preventContextMenu);

  return {
    update(next: CardDragParams): void {
      params = next;
    },
    destroy(): void {
      finish(false);
      node.removeEventListener('pointerdown', onPointerDown);
      node.removeEventListener('contextmenu', preventContextMenu);
    },
  };
}
