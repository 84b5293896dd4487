namespace Berth.Server.Uploads;

/// <summary>The answer to a reservation of bytes for a segment (see <see cref="IUploadLimitStore.ReserveAsync"/>).</summary>
/// <param name="Held">What the owner's uploads and other reservations held, without this one.</param>
/// <param name="Reserved">What the reservation holds now; <see langword="null"/> when refused.</param>
public readonly record struct UploadReservation(long Held, long? Reserved);
