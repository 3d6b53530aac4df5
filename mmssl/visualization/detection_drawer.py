"""Draw detections (masks, boxes, labels) on video frames.

Plain functions on ``H x W x 3`` uint8 RGB arrays: each returns a new image
and leaves its input untouched. Boxes are inclusive pixel coordinates
``x1, y1, x2, y2`` (the ACT convention of the detection metric: a box with
``x1 == x2`` is one pixel wide); a box is drawn on its border pixels, inside
the box.
"""
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np

Color = Tuple[int, int, int]

PRED_COLOR: Color = (230, 40, 40)
GT_COLOR: Color = (40, 210, 60)
TEXT_COLOR: Color = (255, 255, 255)
_FONT = cv2.FONT_HERSHEY_SIMPLEX


def _check_image(image: np.ndarray) -> None:
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f'image must be H x W x 3 uint8, got '
                         f'{image.shape} {image.dtype}')


def overlay_mask(image: np.ndarray,
                 mask: np.ndarray,
                 color: Color = PRED_COLOR,
                 alpha: float = 0.5) -> np.ndarray:
    """Blend ``color`` into the pixels of ``mask``.

    Args:
        image (np.ndarray): ``H x W x 3`` uint8 RGB.
        mask (np.ndarray): ``H x W`` bool (or 0/1) foreground.
        color (tuple[int]): RGB colour of the overlay.
        alpha (float): weight of the colour, in ``[0, 1]``.

    Returns:
        np.ndarray: ``H x W x 3`` uint8; a mask pixel becomes
        ``round((1 - alpha) * pixel + alpha * color)``, the others are
        unchanged.
    """
    _check_image(image)
    mask = np.asarray(mask).astype(bool)
    if mask.shape != image.shape[:2]:
        raise ValueError(f'mask is {mask.shape}, the image '
                         f'{image.shape[:2]}')
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f'alpha must lie in [0, 1], got {alpha}')
    out = image.copy()
    blended = (1.0 - alpha) * image[mask] + alpha * np.asarray(
        color, dtype=np.float64)
    out[mask] = np.clip(np.rint(blended), 0, 255).astype(np.uint8)
    return out


def draw_mask_contour(image: np.ndarray,
                      mask: np.ndarray,
                      color: Color = GT_COLOR) -> np.ndarray:
    """Colour the boundary pixels of ``mask`` (foreground pixels with a
    4-neighbour outside the mask or on the image border).

    Args:
        image (np.ndarray): ``H x W x 3`` uint8 RGB.
        mask (np.ndarray): ``H x W`` bool (or 0/1) foreground.
        color (tuple[int]): RGB colour of the contour.

    Returns:
        np.ndarray: ``H x W x 3`` uint8.
    """
    _check_image(image)
    mask = np.asarray(mask).astype(bool)
    if mask.shape != image.shape[:2]:
        raise ValueError(f'mask is {mask.shape}, the image '
                         f'{image.shape[:2]}')
    padded = np.pad(mask, 1, constant_values=False)
    interior = (padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2]
                & padded[1:-1, 2:])
    out = image.copy()
    out[mask & ~interior] = color
    return out


def draw_box(image: np.ndarray,
             box: Sequence[float],
             color: Color = PRED_COLOR,
             thickness: int = 1) -> np.ndarray:
    """Draw the border of an inclusive box.

    Args:
        image (np.ndarray): ``H x W x 3`` uint8 RGB.
        box (Sequence[float]): ``x1, y1, x2, y2``, inclusive pixels (rounded
            to the nearest pixel, clipped to the image).
        color (tuple[int]): RGB colour.
        thickness (int): border width in pixels, drawn inside the box.

    Returns:
        np.ndarray: ``H x W x 3`` uint8; exactly the pixels within
        ``thickness`` of the box's edges (inside it) take ``color``.
    """
    _check_image(image)
    if thickness < 1:
        raise ValueError(f'thickness must be >= 1, got {thickness}')
    height, width = image.shape[:2]
    x1, y1, x2, y2 = (int(round(float(v))) for v in box)
    x1, x2 = max(x1, 0), min(x2, width - 1)
    y1, y2 = max(y1, 0), min(y2, height - 1)
    out = image.copy()
    if x1 > x2 or y1 > y2:
        return out
    inner = thickness - 1
    out[y1:y2 + 1, x1:min(x1 + inner, x2) + 1] = color
    out[y1:y2 + 1, max(x2 - inner, x1):x2 + 1] = color
    out[y1:min(y1 + inner, y2) + 1, x1:x2 + 1] = color
    out[max(y2 - inner, y1):y2 + 1, x1:x2 + 1] = color
    return out


def text_size(text: str, scale: float) -> Tuple[int, int]:
    """``(width, height)`` in pixels of the label box :func:`draw_label`
    draws for ``text`` (1 pixel of padding around the glyphs)."""
    (width, height), baseline = cv2.getTextSize(text, _FONT, scale, 1)
    return width + 2, height + baseline + 2


def draw_label(image: np.ndarray,
               text: str,
               origin: Tuple[int, int],
               color: Color = PRED_COLOR,
               scale: float = 0.35,
               text_color: Color = TEXT_COLOR) -> np.ndarray:
    """Write ``text`` in ``text_color`` on a filled ``color`` box.

    Args:
        image (np.ndarray): ``H x W x 3`` uint8 RGB.
        text (str): the label.
        origin (tuple[int]): ``(x, y)`` of the label box's top-left corner;
            moved inside the image when the label would leave it.
        color (tuple[int]): RGB background of the label.
        scale (float): OpenCV font scale.
        text_color (tuple[int]): RGB colour of the glyphs.

    Returns:
        np.ndarray: ``H x W x 3`` uint8; only pixels inside the label box
        (see :func:`text_size`) change.
    """
    _check_image(image)
    height, width = image.shape[:2]
    box_w, box_h = text_size(text, scale)
    x = int(min(max(origin[0], 0), max(width - box_w, 0)))
    y = int(min(max(origin[1], 0), max(height - box_h, 0)))
    out = image.copy()
    out[y:y + box_h, x:x + box_w] = color
    (_, glyph_h), _ = cv2.getTextSize(text, _FONT, scale, 1)
    # Glyphs drawn on a copy of the box only, so nothing outside it changes.
    patch = np.ascontiguousarray(out[y:y + box_h, x:x + box_w])
    cv2.putText(patch, text, (1, 1 + glyph_h), _FONT, scale, text_color, 1,
                cv2.LINE_AA)
    out[y:y + box_h, x:x + box_w] = patch
    return out


def draw_detection_frame(image: np.ndarray,
                         pred_mask: Optional[np.ndarray] = None,
                         pred_boxes: Sequence[Sequence[float]] = (),
                         pred_texts: Sequence[str] = (),
                         gt_mask: Optional[np.ndarray] = None,
                         gt_boxes: Sequence[Sequence[float]] = (),
                         gt_texts: Sequence[str] = (),
                         title: Optional[str] = None,
                         pred_color: Color = PRED_COLOR,
                         gt_color: Color = GT_COLOR,
                         alpha: float = 0.4,
                         scale: float = 0.35) -> np.ndarray:
    """One frame with its predictions against its ground truth.

    Drawn in this order: the predicted mask as a coloured overlay, the
    ground-truth mask's contour, the ground-truth boxes and their labels
    (below each box), the predicted boxes and their labels (above each box),
    the title in the bottom-left corner.

    Args:
        image (np.ndarray): ``H x W x 3`` uint8 RGB frame.
        pred_mask (np.ndarray, optional): ``H x W`` bool foreground.
        pred_boxes (Sequence): ``N x 4`` inclusive ``x1, y1, x2, y2``.
        pred_texts (Sequence[str]): ``N`` labels (class and score), or empty.
        gt_mask (np.ndarray, optional): ``H x W`` bool foreground.
        gt_boxes (Sequence): ``K x 4`` inclusive ``x1, y1, x2, y2``.
        gt_texts (Sequence[str]): ``K`` labels, or empty.
        title (str, optional): e.g. the frame number.
        pred_color (tuple[int]): RGB of predictions.
        gt_color (tuple[int]): RGB of the ground truth.
        alpha (float): opacity of the predicted mask.
        scale (float): font scale of the labels.

    Returns:
        np.ndarray: ``H x W x 3`` uint8.
    """
    for name, boxes, texts in (('pred', pred_boxes, pred_texts),
                               ('gt', gt_boxes, gt_texts)):
        if len(texts) and len(texts) != len(boxes):
            raise ValueError(f'{len(boxes)} {name} boxes but {len(texts)} '
                             'labels')
    out = image
    if pred_mask is not None:
        out = overlay_mask(out, pred_mask, pred_color, alpha)
    if gt_mask is not None:
        out = draw_mask_contour(out, gt_mask, gt_color)
    for index, box in enumerate(gt_boxes):
        out = draw_box(out, box, gt_color)
        if len(gt_texts):
            out = draw_label(out, gt_texts[index],
                             (int(round(box[0])), int(round(box[3])) + 1),
                             gt_color, scale)
    for index, box in enumerate(pred_boxes):
        out = draw_box(out, box, pred_color)
        if len(pred_texts):
            _, label_h = text_size(pred_texts[index], scale)
            out = draw_label(out, pred_texts[index],
                             (int(round(box[0])),
                              int(round(box[1])) - label_h),
                             pred_color, scale)
    if title:
        out = draw_label(out, title, (0, out.shape[0]), (0, 0, 0), scale)
    return out.copy() if out is image else out


def make_grid(images: Sequence[np.ndarray],
              cols: int,
              pad: int = 2,
              pad_value: int = 255) -> np.ndarray:
    """Tile equally sized images row by row.

    Args:
        images (Sequence[np.ndarray]): ``N`` images ``H x W x 3`` uint8.
        cols (int): images per row.
        pad (int): pixels between images and around the grid.
        pad_value (int): grey level of the padding.

    Returns:
        np.ndarray: ``(rows * (H + pad) + pad) x (cols' * (W + pad) + pad)
        x 3`` uint8 with ``rows = ceil(N / cols)`` and ``cols' = min(cols,
        N)``.
    """
    if not len(images):
        raise ValueError('make_grid needs at least one image')
    if cols < 1:
        raise ValueError(f'cols must be >= 1, got {cols}')
    shapes = {image.shape for image in images}
    if len(shapes) != 1:
        raise ValueError(f'images of different shapes {sorted(shapes)}')
    height, width, channels = images[0].shape
    cols = min(cols, len(images))
    rows = -(-len(images) // cols)
    grid = np.full((rows * (height + pad) + pad, cols * (width + pad) + pad,
                    channels), pad_value, dtype=np.uint8)
    for index, image in enumerate(images):
        row, col = divmod(index, cols)
        y = pad + row * (height + pad)
        x = pad + col * (width + pad)
        grid[y:y + height, x:x + width] = image
    return grid
