namespace Hypervisor.Core.Time
{
    /// <summary>Converts a calendar date and time (UTC, as a PC's RTC keeps it) to seconds since
    /// 1970-01-01, the wall-clock form shared_info carries.</summary>
    public static class CalendarTime
    {
        public static ulong ToUnixSeconds(int year, int month, int day, int hour, int minute, int second)
        {
            // Days from 1970-01-01 to the date, with March as the first month of a computing year so
            // that the leap day comes last.
            int y = month <= 2 ? year - 1 : year;
            int era = y / 400;
            int yearOfEra = y - era * 400;
            int monthIndex = month > 2 ? month - 3 : month + 9;
            int dayOfYear = (153 * monthIndex + 2) / 5 + day - 1;
            int dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
            long days = (long)era * 146097 + dayOfEra - 719468;
            return (ulong)(days * 86400 + hour * 3600 + minute * 60 + second);
        }
    }
}
